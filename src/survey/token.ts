/**
 * The token in a member's survey links: the site, the survey, the member and their segment, under
 * an HMAC only this deployment can make (it cannot be forged or altered). The member is in it so
 * that each answers once; their answer is kept apart from them (src/survey/index.ts): a keyed hash
 * says that they answered, and the answer lies in a slot drawn at random, with nothing that leads
 * from one to the other. So the token, which a forum's admins can read in a private message, leads
 * nobody to the answer.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SEGMENTS = ["featured", "helper", "newcomer", "member"] as const;
export type Segment = (typeof SEGMENTS)[number];

export interface Ballot {
  site: string;
  /** The survey's id: the month it opened, "YYYY-MM". */
  survey: string;
  memberId: string;
  segment: Segment;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64url");
const mac = (secret: string, b: Ballot) =>
  createHmac("sha256", secret).update(`survey\0${b.site}\0${b.survey}\0${b.memberId}\0${b.segment}`).digest();

export function signBallot(secret: string, b: Ballot): string {
  return ["s1", b64(b.site), b.survey, b64(b.memberId), b.segment, b64(mac(secret, b))].join(".");
}

/** The ballot a token was made for, or null when it is malformed, altered or forged. */
export function verifyBallot(secret: string, token: string): Ballot | null {
  const parts = token.split(".");
  if (parts.length !== 6 || parts[0] !== "s1" || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return null;
  const [, siteB64, survey, memberB64, segment, given] = parts as [string, string, string, string, string, string];
  const site = Buffer.from(siteB64, "base64url").toString("utf8");
  const memberId = Buffer.from(memberB64, "base64url").toString("utf8");
  if (!site || b64(site) !== siteB64 || !memberId || b64(memberId) !== memberB64) return null;
  if (!/^\d{4}-\d{2}$/.test(survey) || !(SEGMENTS as readonly string[]).includes(segment)) return null;
  const b: Ballot = { site, survey, memberId, segment: segment as Segment };
  const expected = mac(secret, b);
  const got = Buffer.from(given, "base64url");
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
  return b;
}

/** The keyed hash that says a member answered a survey (it names nobody without the key). */
export function answeredKey(secret: string, b: Ballot): string {
  return createHmac("sha256", secret).update(`survey-answered\0${b.site}\0${b.survey}\0${b.memberId}`).digest("hex");
}

export function surveyUrl(publicUrl: string, token: string, score?: number): string {
  const url = new URL(`survey/${token}`, publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`);
  if (score !== undefined) url.searchParams.set("score", String(score));
  return url.toString();
}
