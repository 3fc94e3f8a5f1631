/**
 * WordPress, through its REST API and an Application Password: the platform's descriptor
 * (adapters/types.ts). The adapter is in adapter.ts; tests run it against a real WordPress.
 */
import type { Platform } from "../types.js";
import { capabilities, createWordPressAdapter, NEEDED_CAPABILITIES } from "./adapter.js";

const wordpress: Platform = { name: "wordpress", capabilities, create: createWordPressAdapter };

export default wordpress;
export { createWordPressAdapter, NEEDED_CAPABILITIES };
