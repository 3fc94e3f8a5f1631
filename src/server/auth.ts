/**
 * Admin authentication: a scrypt password hash from the environment (no default password),
 * checked off the event loop, and sign-in limits. Sessions live server-side (sessions.ts).
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from "node:crypto";

const N = 16384;
const R = 8;
const P = 1;

/** `scrypt$N$r$p$salt$hash` (base64url), for admin.passwordHashEnv. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N, r: R, p: P });
  return ["scrypt", N, R, P, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/** Off the event loop (libuv's thread pool): failed sign-ins never slow the server's other answers. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4]!, "base64url");
  const expected = Buffer.from(parts[5]!, "base64url");
  if (!n || !r || !p || !expected.length) return false;
  const got = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, expected.length, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  return timingSafeEqual(got, expected);
}

export function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== "string") return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/**
 * Sign-in limits that slow attackers without locking out the admin: at most `max` failed
 * sign-ins per client address per window (an attacker's address is blocked, the admin's is not;
 * behind a proxy the address is the client's, see server.trustProxy), and, for the account, one
 * attempt a second once it has failed `max` times (guessing at scale stays hopeless; the admin
 * waits a second at most).
 */
export class SignInLimits {
  private readonly byAddress = new Attempts();
  private readonly byAccount = new Attempts();
  private lastAccountAttempt = -Infinity;
  /** Milliseconds to wait before this attempt may be judged (0: go ahead). */
  wait(address: string, now: number): number {
    if (this.byAddress.blocked(address, now)) return 15 * 60_000;
    if (this.byAccount.blocked("account", now) && now - this.lastAccountAttempt < 1000)
      return 1000 - (now - this.lastAccountAttempt);
    this.lastAccountAttempt = now;
    return 0;
  }
  fail(address: string, now: number) {
    this.byAddress.fail(address, now);
    this.byAccount.fail("account", now);
  }
}

/** At most `max` failed sign-ins per key per window. */
export class Attempts {
  private seen = new Map<string, number[]>();
  constructor(
    private max = 10,
    private windowMs = 15 * 60_000,
  ) {}
  blocked(key: string, now: number): boolean {
    const list = (this.seen.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.seen.set(key, list);
    return list.length >= this.max;
  }
  fail(key: string, now: number) {
    this.seen.set(key, [...(this.seen.get(key) ?? []), now]);
  }
}
