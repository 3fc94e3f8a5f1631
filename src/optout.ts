/**
 * Opt-outs are kept as keyed hashes of (site, member id): the store never holds a list of who
 * opted out, and a member who asked to be forgotten stays opted out after everything else about
 * them is deleted.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { Store } from "./store/types.js";

export function optOutKey(secret: string, site: string, memberId: string): string {
  return createHmac("sha256", secret).update(`optout\0${site}\0${memberId}`).digest("hex");
}

/**
 * The deployment's secret: SPOTLIGHT_SECRET when set, else one generated on first use and kept
 * in the store (so opt-outs keep holding across restarts).
 */
export async function deploymentSecret(store: Store, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.SPOTLIGHT_SECRET) return env.SPOTLIGHT_SECRET;
  const saved = await store.getCursor<string>("_deployment", "secret");
  if (saved) return saved;
  const secret = randomBytes(32).toString("hex");
  await store.ingest("_deployment", { cursor: { key: "secret", value: secret } });
  return secret;
}
