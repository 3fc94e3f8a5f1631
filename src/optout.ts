/**
 * Opt-outs are kept as keyed hashes of (site, member id): the store never holds a list of who
 * opted out, and a member who asked to be forgotten stays opted out after everything else about
 * them is deleted.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "./store/types.js";

export function optOutKey(secret: string, site: string, memberId: string): string {
  return createHmac("sha256", secret).update(`optout\0${site}\0${memberId}`).digest("hex");
}

/**
 * The deployment's permanent key, for opt-out hashes and links (and the keyed hashes of guests'
 * addresses): kept in the store from the first time it is opened, then never changed, so every
 * opt-out holds and every link already sent keeps working whatever happens to the environment. The
 * first time, SPOTLIGHT_SECRET is adopted when set (a deployment from before keeps its hashes and
 * links), else a random one is made. Admin sessions use nothing of it (src/server/sessions.ts).
 */
export async function deploymentSecret(store: Store, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const saved = await store.getState<string>("_deployment", "secret");
  if (saved) return saved;
  // Set once, atomically: of two processes starting together, both use the first one's.
  return store.setIfAbsent("_deployment", "secret", env.SPOTLIGHT_SECRET || randomBytes(32).toString("hex"));
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64url");

function linkMac(secret: string, site: string, memberId: string): Buffer {
  return createHmac("sha256", secret).update(`optout-link\0${site}\0${memberId}`).digest();
}

/**
 * The token in a member's opt-out link: their own site and member id, and an HMAC that only
 * this deployment can make. It says nothing about anyone else, and cannot be forged or altered.
 */
export function signOptOut(secret: string, site: string, memberId: string): string {
  return `v1.${b64(site)}.${b64(memberId)}.${b64(linkMac(secret, site, memberId))}`;
}

/** The (site, member) a token was made for, or null when it is malformed or forged. */
export function verifyOptOut(secret: string, token: string): { site: string; memberId: string } | null {
  const parts = token.split(".");
  if (parts.length !== 4 || parts[0] !== "v1" || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return null;
  const site = Buffer.from(parts[1]!, "base64url").toString("utf8");
  const memberId = Buffer.from(parts[2]!, "base64url").toString("utf8");
  if (!site || !memberId || b64(site) !== parts[1] || b64(memberId) !== parts[2]) return null;
  const given = Buffer.from(parts[3]!, "base64url");
  const expected = linkMac(secret, site, memberId);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { site, memberId };
}

export function optOutUrl(publicUrl: string, token: string): string {
  return new URL(`optout/${token}`, publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`).toString();
}
