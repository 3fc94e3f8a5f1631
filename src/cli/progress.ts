/**
 * What a person sees while a site is read. On a terminal: a live bar per step, with the units
 * done, the requests sent, the request budget and the time left at that budget (a real month is
 * paced by the platform's limit, not by us); each finished step stays on screen as one line. In a
 * log file: one plain line per finished step, nothing else.
 */
import type { ReadProgress } from "../../adapters/types.js";
import { clean } from "../render/escape.js";

export interface ProgressOptions {
  /** The site's id, at the start of every line. */
  site: string;
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Requests a minute the time left is counted at: the site's budget (the pace of a real run). */
  budgetPerMinute: number;
  /** Monotonic milliseconds (default performance.now). */
  elapsed?: () => number;
}

export interface ProgressReporter {
  onProgress(p: ReadProgress & { period: string }): void;
  /** Close the last step's line. */
  end(): void;
}

const BAR = 20;
/** A live bar is redrawn at most this often. */
const REDRAW_MS = 80;

/** "under a minute", "about 7 minutes", "about 2 h 10 min". */
export function minutesInWords(requests: number, perMinute: number): string {
  const minutes = requests / perMinute;
  if (minutes < 1) return "under a minute";
  if (minutes < 90) return `about ${Math.round(minutes)} minute${Math.round(minutes) === 1 ? "" : "s"}`;
  const h = Math.floor(minutes / 60);
  return `about ${h} h ${Math.round(minutes - h * 60)} min`;
}

export function progressReporter(o: ProgressOptions): ProgressReporter {
  const tty = !!o.out.isTTY;
  const elapsed = o.elapsed ?? (() => performance.now());
  const budget = `${o.budgetPerMinute}/min`;
  let current: {
    key: string;
    period: string;
    label: string;
    startedAt: number;
    lastAt: number;
    startRequests: number;
    last: ReadProgress;
  } | null = null;
  /** Requests of each period's read when its last step ended: where the next step starts. */
  const readSoFar = new Map<string, number>();
  let lastDraw = -Infinity;
  /** When the last step's last unit was done (or the reporter started): the next step began then. */
  let since = elapsed();

  const finished = (c: NonNullable<typeof current>) => {
    const used = c.last.requests - c.startRequests;
    const secs = ((c.lastAt - c.startedAt) / 1000).toFixed(1);
    return `[${o.site}] ${c.label}: ${c.last.done}/${c.last.total}, ${used} request${used === 1 ? "" : "s"} in ${secs} s (${minutesInWords(used, o.budgetPerMinute)} at ${budget})`;
  };
  const live = (c: NonNullable<typeof current>) => {
    const { done, total, requests } = c.last;
    const filled = total > 0 ? Math.min(BAR, Math.round((done / total) * BAR)) : 0;
    const used = requests - c.startRequests;
    // Requests still to come in this step, at the rate its done units have cost so far.
    const left = done > 0 ? Math.ceil((used / done) * Math.max(0, total - done)) : 0;
    const line = `[${o.site}] ${c.label} ${"█".repeat(filled)}${"░".repeat(BAR - filled)} ${done}/${total} · ${used} requests · ${done > 0 ? `${minutesInWords(left, o.budgetPerMinute)} left at ${budget}` : "starting"}`;
    const width = o.out.columns || 120;
    return line.length >= width ? line.slice(0, Math.max(10, width - 1)) : line;
  };
  const close = () => {
    if (!current) return;
    o.out.write(tty ? `\r\x1b[K${finished(current)}\n` : `${finished(current)}\n`);
    readSoFar.set(current.period, current.last.requests);
    since = current.lastAt;
    current = null;
  };

  return {
    onProgress(p) {
      const key = `${p.period} ${p.step}`;
      if (current && current.key !== key) close();
      if (!current)
        current = {
          key,
          period: p.period,
          label: `${p.period} ${clean(p.step)}`,
          startedAt: since,
          lastAt: since,
          startRequests: readSoFar.get(p.period) ?? 0,
          last: p,
        };
      const t = elapsed();
      current.last = p;
      current.lastAt = t;
      if (!tty) return;
      if (t - lastDraw < REDRAW_MS && p.done !== p.total) return;
      lastDraw = t;
      o.out.write(`\r\x1b[K${live(current)}`);
    },
    end: close,
  };
}
