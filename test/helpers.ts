/** Shared test helpers: a small seeded community, settings pointing at a simulator, fakes. */
import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import { type Community, generateCommunity } from "../adapters/discourse/simulator/community.js";
import type { AdapterOptions } from "../adapters/types.js";
import type { Clock } from "../src/clock.js";
import { defaultSettings, siteWithDefaults } from "../src/config.js";
import type { Activity, Member, Plan, ScoreCard, Signal } from "../src/domain.js";
import { createLogger, type Logger } from "../src/log.js";
import { preparePlan } from "../src/pipeline.js";
import { hashPassword } from "../src/server/auth.js";
import { createServer } from "../src/server/index.js";
import type { Settings } from "../src/settings.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import type { Store } from "../src/store/types.js";

/** The simulator's clock in tests: the community ends on 1 November 2026. */
export const SIM_END = new Date("2026-11-01T00:00:00Z");
export const SIM_NOW = new Date("2026-11-01T06:00:00Z");

let small: Community | null = null;
/** 200 members, 5000 posts: every trap of the full sample, fast enough for unit tests. */
export function smallCommunity(): Community {
  small ??= generateCommunity({ seed: 7, members: 200, posts: 5000, now: SIM_END });
  return small;
}

export function testSettings(baseUrl = "http://127.0.0.1:9/", overrides: Partial<Settings> = {}): Settings {
  return {
    ...defaultSettings(),
    sites: [
      siteWithDefaults({
        id: "test",
        platform: "discourse",
        baseUrl,
        credentials: { apiKeyEnv: "K", apiUsernameEnv: "U" },
        requestsPerMinute: 1_000_000,
        timeoutMs: 2000,
        maxRetries: 3,
      }),
    ],
    ...overrides,
  };
}

export const TEST_ENV = { K: "sim-key", U: "system" };

/**
 * Prepare `period`'s plan once, in a fresh in-memory store, through the simulator's adapter (with
 * `adapter` options added), and close the store.
 */
export async function planInMemory(
  settings: Settings,
  period: string,
  opts: { adapter?: Partial<AdapterOptions>; secret?: string; acceptLowActivity?: boolean } = {},
): Promise<Plan> {
  const site = settings.sites[0]!;
  const store = new SqliteStore(":memory:");
  try {
    const deps = {
      settings,
      store,
      adapter: simAdapter(settings, opts.adapter, site),
      site,
      env: { ...TEST_ENV, SPOTLIGHT_SECRET: opts.secret ?? "test" },
      now: () => SIM_NOW,
    };
    return (await preparePlan(deps, period, { acceptLowActivity: opts.acceptLowActivity ?? false })).plan;
  } finally {
    await store.close();
  }
}

/** The Discourse adapter for a test's settings and site, with the simulator's key and clock. */
export function simAdapter(settings: Settings, extra: Partial<AdapterOptions> = {}, site = settings.sites[0]!) {
  return createDiscourseAdapter({
    site,
    sync: settings.sync,
    scoring: settings.scoring,
    publish: settings.publish,
    env: TEST_ENV,
    now: () => SIM_NOW,
    ...extra,
  });
}

let n = 0;
export function act(memberId: string, signal: Signal, extra: Partial<Activity> = {}): Activity {
  n++;
  return {
    id: `a${n}`,
    memberId,
    signal,
    at: "2026-10-10T12:00:00.000Z",
    otherId: null,
    topicId: `t${n}`,
    url: `https://forum.example/t/x/${n}/1`,
    title: `Topic ${n}`,
    public: true,
    ...extra,
  };
}

/** `count` likes from `giver` to `receiver`, on different posts and days. */
export function likes(receiver: string, giver: string, count: number): Activity[] {
  return Array.from({ length: count }, (_, i) =>
    act(receiver, "like_received", {
      otherId: giver,
      at: `2026-10-${String(1 + (i % 28)).padStart(2, "0")}T10:00:00.000Z`,
    }),
  );
}

export function member(id: string, extra: Partial<Member> = {}): Member {
  return {
    id,
    username: `user${id}`,
    name: `User ${id}`,
    avatarUrl: null,
    profileUrl: `https://forum.example/u/user${id}`,
    standing: "member",
    createdAt: "2024-01-01T00:00:00.000Z",
    staff: false,
    bot: false,
    restricted: false,
    hiddenProfile: false,
    staged: false,
    groups: [],
    fetchedAt: "2026-11-01T00:00:00.000Z",
    ...extra,
  };
}

export function card(memberId: string, total: number, extra: Partial<ScoreCard> = {}): ScoreCard {
  const zero = { count: 0, counted: 0, points: 0 };
  return {
    memberId,
    total,
    signals: { solution: zero, newcomer_reply: zero, reply: zero, like_received: zero, topic: zero, flagged: zero },
    distinctPeople: 10,
    activeDays: 10,
    capsApplied: [],
    evidence: [
      {
        signal: "solution",
        url: `https://forum.example/t/answer/${memberId}/2`,
        title: "An answer",
        at: "2026-10-10T12:00:00.000Z",
      },
    ],
    ...extra,
  };
}

/** Signs in to the admin dashboard at `base` over HTTP (the form and its token, as a browser would). */
export async function signInHttp(base: string, password: string, username = "admin"): Promise<{ cookie: string }> {
  const login = await fetch(`${base}/admin/login`);
  const loginCookie = login.headers.get("set-cookie")!.split(";")[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
  const ok = await fetch(`${base}/admin/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: loginCookie, "Content-Type": "application/x-www-form-urlencoded" },
    body: `_csrf=${csrf}&username=${encodeURIComponent(username)}&password=${encodeURIComponent(password)}`,
  });
  const cookie = ok.headers
    .getSetCookie()
    .find((c) => c.startsWith("spotlight_admin="))
    ?.split(";")[0];
  if (!cookie) throw new Error(`signing in at ${base} answered ${ok.status}`);
  return { cookie };
}

/** Debian's headless Chromium, as the browser tests run it: no sandbox, nothing in the background. */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A logger whose warnings (and worse) the test can read, as the JSON lines it writes. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: "warn",
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line));
        return true;
      },
    } as unknown as NodeJS.WritableStream,
  });
  return { logger, lines };
}

/**
 * `spotlight serve` over a store, on a free port, signed in as the admin: the cookie, the base
 * URL, and a close. For pages that need no platform (adapters: none).
 */
export async function adminServer(
  settings: Settings,
  store: Store,
  o: { secret: string; now: Clock },
): Promise<{ base: string; cookie: string; close: () => void }> {
  const password = "correct horse battery staple";
  const server = createServer({
    settings,
    store,
    secret: o.secret,
    adapters: new Map(),
    env: { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(password) },
    now: o.now,
  }).listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const { cookie } = await signInHttp(base, password);
  return { base, cookie, close: () => server.close() };
}
