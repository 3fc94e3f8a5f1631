/**
 * Months are the site's months: they start at local midnight in the configured time zone, and
 * "last month" is counted from an instant given to the code, never from the machine's clock.
 */
import { describe, expect, it } from "vitest";
import { isValidTimeZone, lastCompletePeriod, localDay, periodOf, shiftPeriod } from "../src/period.js";
import { countsPerLocalDay } from "../src/server/charts.js";

describe("the period a command picks by default", () => {
  it.each([
    ["2026-03-01T00:30:00Z", "UTC", "2026-02"],
    ["2026-02-28T23:59:59.999Z", "UTC", "2026-01"],
    ["2028-02-29T12:00:00Z", "UTC", "2028-01"],
    ["2027-01-01T00:00:00Z", "UTC", "2026-12"],
    // Ahead of UTC: already 1 January in Auckland on 31 December UTC.
    ["2026-12-31T11:30:00Z", "Pacific/Auckland", "2026-12"],
    ["2026-12-31T11:30:00Z", "UTC", "2026-11"],
    // Behind UTC: still 31 December in New York on 1 January UTC.
    ["2027-01-01T03:00:00Z", "America/New_York", "2026-11"],
    ["2027-01-01T05:00:00Z", "America/New_York", "2026-12"],
    // The night Berlin moves its clocks forward (01:00 UTC) and back (01:00 UTC).
    ["2026-03-29T01:30:00Z", "Europe/Berlin", "2026-02"],
    ["2026-10-25T00:30:00Z", "Europe/Berlin", "2026-09"],
    // Half-hour zones.
    ["2026-04-01T02:00:00Z", "America/St_Johns", "2026-02"],
    ["2026-04-01T03:00:00Z", "America/St_Johns", "2026-03"],
  ])("at %s in %s it is %s", (now, zone, expected) => {
    expect(lastCompletePeriod(new Date(now), zone)).toBe(expected);
  });
});

describe("a period's bounds", () => {
  it("starts and ends at local midnight, across a clock change and in a leap year", () => {
    expect(periodOf("2026-03", "Europe/Berlin")).toEqual({
      id: "2026-03",
      start: "2026-02-28T23:00:00.000Z",
      end: "2026-03-31T22:00:00.000Z",
    });
    expect(periodOf("2026-10", "Europe/Berlin")).toEqual({
      id: "2026-10",
      start: "2026-09-30T22:00:00.000Z",
      end: "2026-10-31T23:00:00.000Z",
    });
    expect(periodOf("2028-02", "UTC")).toEqual({
      id: "2028-02",
      start: "2028-02-01T00:00:00.000Z",
      end: "2028-03-01T00:00:00.000Z",
    });
    expect(periodOf("2026-12", "Pacific/Auckland")).toEqual({
      id: "2026-12",
      start: "2026-11-30T11:00:00.000Z",
      end: "2026-12-31T11:00:00.000Z",
    });
  });

  it("counts days in the site's zone", () => {
    expect(localDay("2026-10-25T23:30:00.000Z", "Europe/Berlin")).toBe("2026-10-26");
    expect(localDay("2026-10-25T22:30:00.000Z", "Europe/Berlin")).toBe("2026-10-25");
    expect(localDay("2026-10-25T23:30:00.000Z", "UTC")).toBe("2026-10-25");
  });

  it("steps over year ends", () => {
    expect(shiftPeriod("2027-01", -1)).toBe("2026-12");
    expect(shiftPeriod("2026-12", 1)).toBe("2027-01");
    expect(shiftPeriod("2026-03", -3)).toBe("2025-12");
  });

  it("knows a time zone from a typo", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("Europe/Berln")).toBe(false);
  });
});

describe("the dashboard's activity per day", () => {
  it.each([
    ["2026-10", "Europe/Berlin", 31],
    ["2026-03", "Europe/Berlin", 31],
    ["2026-11", "America/New_York", 30],
    ["2028-02", "Australia/Lord_Howe", 29],
    ["2026-02", "UTC", 28],
  ])("has one column per day of %s in %s, across its clock change", (id, zone, days) => {
    const period = periodOf(id, zone);
    // An activity in the first and last minute of the month, local time.
    const first = new Date(Date.parse(period.start)).toISOString().slice(0, 16);
    const last = new Date(Date.parse(period.end) - 60_000).toISOString().slice(0, 16);
    const columns = countsPerLocalDay(
      id,
      [
        [first, 2],
        [last, 3],
      ],
      zone,
    );
    expect(columns).toHaveLength(days);
    expect(columns[0]).toEqual({ day: `${id}-01`, count: 2 });
    expect(columns[days - 1]).toEqual({ day: `${id}-${days}`, count: 3 });
    expect(columns.reduce((n, c) => n + c.count, 0)).toBe(5);
  });
});
