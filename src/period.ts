/** Months in the site's time zone: period ids, their bounds in UTC, the last complete one at a given time. */
import { getOrInsertComputed } from "./collections.js";
import type { Period } from "./domain.js";

const PERIOD_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset (ms) of `timeZone` from UTC at the instant `utcMs`. */
function zoneOffset(utcMs: number, timeZone: string): number {
  if (timeZone === "UTC" || timeZone === "Etc/UTC") return 0;
  const fmt = getOrInsertComputed(
    formatters,
    timeZone,
    () =>
      new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
  );
  const parts = fmt.formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** The UTC instant of local midnight on the first day of `month` (0-based) in `timeZone`. */
function monthStart(year: number, month: number, timeZone: string): number {
  const guess = Date.UTC(year, month, 1);
  // Two passes settle the offset even across a DST change at the boundary.
  let t = guess - zoneOffset(guess, timeZone);
  t = guess - zoneOffset(t, timeZone);
  return t;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function isPeriodId(id: string): boolean {
  return PERIOD_RE.test(id);
}

/** The calendar month `id` ("YYYY-MM") in `timeZone`. */
export function periodOf(id: string, timeZone = "UTC"): Period {
  const m = PERIOD_RE.exec(id);
  if (!m) throw new RangeError(`period must look like YYYY-MM, got ${JSON.stringify(id)}`);
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  return {
    id,
    start: new Date(monthStart(year, month, timeZone)).toISOString(),
    end: new Date(monthStart(month === 11 ? year + 1 : year, (month + 1) % 12, timeZone)).toISOString(),
  };
}

/** The period `delta` months away from `id` (delta -1 = the month before). */
export function shiftPeriod(id: string, delta: number): string {
  const m = PERIOD_RE.exec(id);
  if (!m) throw new RangeError(`period must look like YYYY-MM, got ${JSON.stringify(id)}`);
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** The last complete month before `now` in `timeZone`. */
export function lastCompletePeriod(now: Date, timeZone = "UTC"): string {
  const local = new Date(now.getTime() + zoneOffset(now.getTime(), timeZone));
  const current = `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, "0")}`;
  return shiftPeriod(current, -1);
}

/** The local calendar day ("YYYY-MM-DD") of an instant in `timeZone`. */
export function localDay(iso: string, timeZone = "UTC"): string {
  // Stored times are canonical (toISOString): in UTC the day is their first ten characters.
  if (timeZone === "UTC" && iso.length === 24 && iso[10] === "T" && iso[19] === "." && iso[23] === "Z")
    return iso.slice(0, 10);
  const t = Date.parse(iso);
  return new Date(t + zoneOffset(t, timeZone)).toISOString().slice(0, 10);
}

/** A period's bounds in milliseconds and a test for "this instant falls inside it". */
export function periodBounds(period: Pick<Period, "start" | "end">): {
  start: number;
  end: number;
  contains: (iso: string) => boolean;
} {
  const start = Date.parse(period.start);
  const end = Date.parse(period.end);
  return {
    start,
    end,
    contains: (iso) => {
      const t = Date.parse(iso);
      return t >= start && t < end;
    },
  };
}
