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
  return new URL(`optout/${token}`, publicUrl.endsWith("/") ? publicUrl : publicUrl + "/").toString();
}
