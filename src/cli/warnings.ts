/**
 * The interactive commands' logger (demo, run, approve). Warnings are collected and said in words
 * in the closing summary ("2 members ranked on their newest 1000 activities only"), never printed
 * as JSON between the progress lines. The JSON log lines go to stderr only when asked for with
 * SPOTLIGHT_LOG_LEVEL (serve and worker always log JSON: they run unattended).
 */
import { createLogger, type Logger } from "../log.js";

interface Seen {
  count: number;
  /** The fields of the latest one (limits and the like are the same each time). */
  last: Record<string, unknown>;
  /** Numbers summed over all of them (waits, members left). */
  sums: Record<string, number>;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Each warning event in words: what happened, and what to change if it matters. */
const WORDS: Record<string, (s: Seen) => string> = {
  "spotlight.read.items_capped": (s) =>
    `${plural(s.count, "member")} ranked on their newest ${num(s.last.limit)} activities only (sync.maxItemsPerMember)`,
  "spotlight.read.newcomers_capped": (s) =>
    `more newcomers posted than sync.maxNewcomers: the newest ${num(s.last.limit)} were examined for their first reply`,
  "spotlight.read.profile_budget_exhausted": (s) =>
    `${plural(num(s.last.left), "liker")}' standing not looked up (sync.maxProfileLookups ${num(s.last.limit)} spent): their likes weigh as unknown until a later run`,
  "spotlight.publish.recreated": () => "the saved spotlight was gone from the site and was created again",
  "spotlight.http.rate_limited": (s) =>
    `the site answered "too many requests" ${plural(s.count, "time")}: waited ${Math.round(s.sums.waitMs! / 1000)} s in all (another integration may share the budget)`,
  "spotlight.http.retry": (s) => `${plural(s.count, "request")} retried after an error or a timeout`,
  "spotlight.publish.retry": (s) => `${plural(s.count, "publishing step")} resumed after an error`,
  "spotlight.publish.nothing_to_feature": () => "nobody to feature: nothing was published, the live spotlight stays",
  // A platform's own advice, in its words (e.g. a switch on the site that would make reads cheaper).
  "spotlight.read.cheaper_path": (s) => String(s.last.advice),
  // A platform's word on what installing or switching on something there would bring.
  "spotlight.platform.advice": (s) => String(s.last.advice),
  "spotlight.note.skipped": (s) =>
    s.last.code === "declined"
      ? `${plural(s.count, "note")} not sent: the member does not accept messages on the site (${String(s.last.why)})`
      : `${plural(s.count, "note")} not sent: the member has no channel (no private messages and no e-mail address)`,
};

export interface CliLog {
  logger: Logger;
  /** The warnings since the last call, one sentence per kind, in the order they first happened. */
  takeWarnings(): string[];
}

export function cliLogger(options: { env?: NodeJS.ProcessEnv; stderr?: NodeJS.WritableStream } = {}): CliLog {
  const env = options.env ?? process.env;
  const stderr = options.stderr ?? process.stderr;
  const LEVELS: Record<string, number> = {
    trace: 10,
    debug: 20,
    info: 30,
    warn: 40,
    error: 50,
    fatal: 60,
    silent: Infinity,
  };
  const asked = env.SPOTLIGHT_LOG_LEVEL ? (LEVELS[env.SPOTLIGHT_LOG_LEVEL] ?? 30) : Infinity;
  const seen = new Map<string, Seen>();
  const destination = {
    write(line: string) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return true;
      }
      if (num(rec.level) >= asked) stderr.write(line);
      if (num(rec.level) < 40) return true;
      const event = typeof rec.event === "string" ? rec.event : String(rec.msg ?? "warning");
      const s = seen.get(event) ?? { count: 0, last: rec, sums: {} };
      s.count++;
      s.last = rec;
      for (const [k, v] of Object.entries(rec))
        if (typeof v === "number" && k !== "level" && k !== "time") s.sums[k] = (s.sums[k] ?? 0) + v;
      seen.set(event, s);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  // Collect warnings whatever level was asked for; show lines only at the level asked.
  const logger = createLogger({ level: asked < 40 ? env.SPOTLIGHT_LOG_LEVEL : "warn", destination });
  return {
    logger,
    takeWarnings() {
      const words = [...seen].map(([event, s]) =>
        (WORDS[event] ?? ((x: Seen) => `${plural(x.count, "warning")} "${event}"`))(s),
      );
      seen.clear();
      return words;
    },
  };
}
