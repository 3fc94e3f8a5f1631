/**
 * Activity counts kept at ingestion, shared by the stores: per (UTC month, member), how many
 * activities of each signal the member has in the whole month, on its first UTC day and on its
 * last. A period is a calendar month in the site's time zone (at most 14 hours off UTC), so it is
 * covered by one UTC month plus the first or last day of the next or previous one: ranking reads
 * one row per member instead of every activity.
 */

import { getOrInsertComputed } from "../collections.js";
import { type Activity, SIGNALS, type Signal } from "../domain.js";

/** Counters per (month, member): SIGNALS.length for the whole month, then the first day, then the last. */
export const COUNT_SLOTS = SIGNALS.length * 3;
export type Part = 0 | 1 | 2;
const PART_ALL: Part = 0;
const PART_FIRST: Part = 1;
const PART_LAST: Part = 2;
const SIGNAL_INDEX = new Map<string, number>(SIGNALS.map((s, i) => [s, i]));
const DAY = 86_400_000;

const monthStart = (month: string) => Date.parse(`${month}-01T00:00:00Z`);
const nextMonth = (month: string) => {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
};

const daysIn = new Map<string, number>();
/** Days in a UTC month "YYYY-MM", as a two-digit string (its last day of month). */
export function lastDayOf(month: string): string {
  const n = getOrInsertComputed(daysIn, month, () => new Date(monthStart(nextMonth(month)) - DAY).getUTCDate());
  return String(n);
}

/** A signal's position in SIGNALS (and in a counter row), or -1. */
export const signalIndex = (signal: string) => SIGNAL_INDEX.get(signal) ?? -1;

/**
 * Which day part a canonical time falls in, besides the whole month: 1 on the first UTC day of
 * its month, 2 on the last (`lastDay` from lastDayOf), else 0 (none).
 */
export function edgePart(at: string, lastDay: string): Part {
  if (at.charCodeAt(8) === 48 && at.charCodeAt(9) === 49) return PART_FIRST;
  return at.charCodeAt(8) === lastDay.charCodeAt(0) && at.charCodeAt(9) === lastDay.charCodeAt(1)
    ? PART_LAST
    : PART_ALL;
}

/** The slots one activity adds to, in its UTC month ("YYYY-MM"). `a.at` in canonical form (canonicalTime). */
export function slotsOf(a: Pick<Activity, "signal" | "at">): { month: string; slots: number[] } {
  const at = canonicalTime(a.at);
  const month = at.slice(0, 7);
  const i = signalIndex(a.signal);
  if (i < 0) return { month, slots: [] };
  const part = edgePart(at, lastDayOf(month));
  return { month, slots: part === PART_ALL ? [i] : [i, part * SIGNALS.length + i] };
}

/** Adds an activity's slots to a per-(month, member) tally. */
export function tally(into: Map<string, { month: string; member: string; counts: number[] }>, a: Activity) {
  const { month, slots } = slotsOf(a);
  if (!slots.length) return;
  const key = `${month}\u0000${a.memberId}`;
  const row = getOrInsertComputed(into, key, () => ({
    month,
    member: a.memberId,
    counts: new Array<number>(COUNT_SLOTS).fill(0),
  }));
  for (const s of slots) row.counts[s]!++;
}

/**
 * Which (month, part) counters cover [from, to): each UTC month it touches, whole, or only its
 * first or last day when that is all the range takes of it.
 */
export function spansCovering(from: string, to: string): Array<{ month: string; part: Part }> {
  const f = Date.parse(from);
  const t = Date.parse(to);
  const out: Array<{ month: string; part: Part }> = [];
  if (!(t > f)) return out;
  const d = new Date(f);
  for (
    let month = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
    monthStart(month) < t;
    month = nextMonth(month)
  ) {
    const start = monthStart(month);
    const end = monthStart(nextMonth(month));
    const lo = Math.max(f, start);
    const hi = Math.min(t, end);
    if (hi <= lo) continue;
    out.push({ month, part: hi <= start + DAY ? PART_FIRST : lo >= end - DAY ? PART_LAST : PART_ALL });
  }
  return out;
}

/** The signal counts of one part of a counter row. */
export function partCounts(counts: ArrayLike<number>, part: Part): Partial<Record<Signal, number>> {
  const out: Partial<Record<Signal, number>> = {};
  SIGNALS.forEach((sig, i) => {
    const n = counts[part * SIGNALS.length + i] ?? 0;
    if (n) out[sig] = n;
  });
  return out;
}

/** Adds `add` into `into`, signal by signal. */
export function addCounts(into: Partial<Record<Signal, number>>, add: Partial<Record<Signal, number>>) {
  for (const [sig, n] of Object.entries(add) as Array<[Signal, number]>) into[sig] = (into[sig] ?? 0) + n;
}

/**
 * Times are stored and compared in one form (toISOString: milliseconds, "Z"), whatever form they
 * came in, so that comparing them as strings compares instants.
 */
export function canonicalTime(at: string): string {
  if (at.length === 24 && at.endsWith("Z") && at[19] === ".") return at;
  const t = Date.parse(at);
  return Number.isNaN(t) ? at : new Date(t).toISOString();
}

/** The UTC months [from, to) touches. */
export function monthsOf(from: string, to: string): string[] {
  return spansCovering(from, to).map((s) => s.month);
}

/**
 * The quarter hour a canonical time falls in, "YYYY-MM-DDTHH:MM" (MM 00, 15, 30 or 45). Every time
 * zone's offset is a whole number of quarter hours, so local days are sums of these: the stores
 * keep a count per quarter at ingestion for the dashboard's daily chart.
 */
export function quarterOf(at: string): string {
  const minute = Number(at.slice(14, 16));
  return `${at.slice(0, 14)}${String(Number.isNaN(minute) ? 0 : minute - (minute % 15)).padStart(2, "0")}`;
}

/**
 * The quarters [lo, hi) that hold the times in [from, to): from's quarter up to to's, and to's
 * own too when to falls inside it (a period's bounds fall on quarter hours).
 */
export function quarterRange(from: string, to: string): [string, string] {
  const [f, t] = [canonicalTime(from), canonicalTime(to)];
  const last = quarterOf(t);
  return [quarterOf(f), t.slice(0, 16) === last && t.slice(16) === ":00.000Z" ? last : `${last}\uffff`];
}
