/** Seeded randomness and the words the sample community is made of: the same community for the same seed. */

import type { SimPost } from "./model.js";

/** mulberry32 (the core's): small, fast, good enough for sample data, and the same on every machine. */
export { seeded as prng } from "../../../src/random.js";

export const FIRST = [
  "ada",
  "bram",
  "chen",
  "dara",
  "eli",
  "fatima",
  "goran",
  "hana",
  "ines",
  "jonas",
  "kofi",
  "lena",
  "mateo",
  "nadia",
  "oskar",
  "priya",
  "quinn",
  "rosa",
  "sven",
  "tariq",
  "uma",
  "vera",
  "wen",
  "ximena",
  "yusuf",
  "zoe",
];
export const LAST = [
  "moss",
  "reyes",
  "okafor",
  "lindqvist",
  "tanaka",
  "haddad",
  "novak",
  "silva",
  "berg",
  "kaur",
  "dubois",
  "kowalski",
  "mensah",
  "ivanova",
  "costa",
  "nguyen",
];
export const VERBS = [
  "configure",
  "migrate",
  "debug",
  "back up",
  "upgrade",
  "secure",
  "speed up",
  "translate",
  "embed",
  "automate",
];
export const NOUNS = [
  "the mail server",
  "SSO login",
  "webhooks",
  "the theme",
  "uploads to S3",
  "the search index",
  "user imports",
  "a plugin",
  "the API",
  "rate limits",
  "backups",
  "the CDN",
];

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export function weightedPickPost(xs: SimPost[], w: (p: SimPost) => number, rnd: () => number): SimPost | null {
  const total = xs.reduce((s, p) => s + w(p), 0);
  let r = rnd() * total;
  for (const p of xs) {
    r -= w(p);
    if (r <= 0) return p;
  }
  return xs[xs.length - 1] ?? null;
}
