/**
 * Admin sessions, kept server-side so that they can be ended: signing out ends one, "sign out
 * everywhere" ends all of them, and a changed password hash ends every session its account signed
 * in under the old one (other accounts' sessions go on). The cookie is a random id and nothing
 * else; the store keeps only its SHA-256, so a copy of the store signs nobody in. No key signs
 * anything here: rotating SPOTLIGHT_SECRET (which keys opt-outs, src/optout.ts) is never needed to
 * end sessions.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Store } from "../store/types.js";

/** Where sessions live in the store (a "site" of the state API's own), all in one record. */
const SCOPE = "_admin";
const KEY = "sessions";

interface SessionRecord {
  user: string;
  expiresAt: number;
  /** A digest of the password hash signed in under: a new password ends the session. */
  password: string;
}
type Records = Record<string, SessionRecord>;

const digest = (text: string) => createHash("sha256").update(text).digest("base64url");
const keyOf = (id: string) => digest(`session\0${id}`);

export interface Session {
  user: string;
  /** Stable for the session's life: what CSRF tokens are bound to. */
  id: string;
  /** The form token for this session. */
  csrf: string;
}

export class Sessions {
  constructor(private readonly store: Store) {}

  private async load(): Promise<Records> {
    return (await this.store.getState<Records>(SCOPE, KEY)) ?? {};
  }

  private async save(records: Records): Promise<void> {
    await this.store.setState(SCOPE, KEY, records);
  }

  /** A new session; returns the cookie value. Expired sessions are swept on the way. */
  async create(user: string, hours: number, passwordHash: string, now: number): Promise<string> {
    const id = randomBytes(32).toString("base64url");
    const records = Object.fromEntries(Object.entries(await this.load()).filter(([, r]) => r.expiresAt > now));
    records[keyOf(id)] = { user, expiresAt: now + hours * 3600_000, password: digest(passwordHash) };
    await this.save(records);
    return id;
  }

  /**
   * The session this cookie holds, if it is still on: its account still has the password hash it
   * signed in with (`hashOf`: the account's current hash, undefined for an account that is gone).
   */
  async read(
    cookie: string | undefined,
    hashOf: (user: string) => string | undefined,
    now: number,
  ): Promise<Session | null> {
    if (!cookie || cookie.length > 100) return null;
    const record = (await this.load())[keyOf(cookie)];
    if (!record || record.expiresAt <= now) return null;
    const hash = hashOf(record.user);
    if (!hash || record.password !== digest(hash)) return null;
    return { user: record.user, id: digest(`id\0${cookie}`), csrf: digest(`csrf\0${cookie}`) };
  }

  /** Sign out: this session is over. */
  async end(cookie: string | undefined): Promise<void> {
    if (!cookie || cookie.length > 100) return;
    const records = await this.load();
    delete records[keyOf(cookie)];
    await this.save(records);
  }

  /** Sign out everywhere: every session is over. */
  async endAll(): Promise<void> {
    await this.save({});
  }
}
