/**
 * MediaWiki, through its Action API (api.php) and a bot password: the platform's descriptor
 * (adapters/types.ts). The adapter is in adapter.ts; tests run it against a real wiki
 * (scripts/mediawiki-test-site.sh).
 */
import type { Platform } from "../types.js";
import { capabilities, createMediaWikiAdapter } from "./adapter.js";

const mediawiki: Platform = { name: "mediawiki", capabilities, create: createMediaWikiAdapter };

export default mediawiki;
export { createMediaWikiAdapter };
