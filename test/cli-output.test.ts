/**
 * What the interactive commands print while they work: a live bar per step on a terminal (requests,
 * the site's budget, time left at that budget), plain lines in a log file, warnings in words.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { minutesInWords, progressReporter } from "../src/cli/progress.js";
import { cliLogger } from "../src/cli/warnings.js";

function sink(tty: boolean) {
  let text = "";
  const out = Object.assign(
    new Writable({
      write(chunk, _e, cb) {
        text += String(chunk);
        cb();
      },
    }),
    { isTTY: tty, columns: 160 },
  );
  return { out, text: () => text };
}

describe("progress", () => {
  it("draws a live bar on a terminal with the time left at the site's budget, and keeps a line per finished step", () => {
    const s = sink(true);
    let t = 0;
    const p = progressReporter({ site: "forum", out: s.out, budgetPerMinute: 50, elapsed: () => t });
    p.onProgress({ period: "2026-10", step: "directory", done: 3, total: 3, requests: 3 });
    t += 1000;
    // 10 of 100 members read at 2 requests each: 180 requests still to come, about 4 minutes at 50/min.
    p.onProgress({ period: "2026-10", step: "activity", done: 10, total: 100, requests: 23 });
    t += 1000;
    p.onProgress({ period: "2026-10", step: "activity", done: 100, total: 100, requests: 203 });
    p.end();
    const text = s.text();
    expect(text).toContain("[forum] 2026-10 directory: 3/3, 3 requests in 0.0 s (under a minute at 50/min)\n");
    expect(text).toMatch(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequence is what is checked.
      /\r\x1b\[K\[forum\] 2026-10 activity █{2}░{18} 10\/100 · 20 requests · about 4 minutes left at 50\/min/,
    );
    expect(text).toContain("[forum] 2026-10 activity: 100/100, 200 requests in 2.0 s (about 4 minutes at 50/min)\n");
  });

  it("writes only a plain line per finished step when the output is not a terminal", () => {
    const s = sink(false);
    const p = progressReporter({ site: "blog", out: s.out, budgetPerMinute: 60, elapsed: () => 0 });
    for (let i = 1; i <= 5; i++)
      p.onProgress({ period: "2026-10", step: "comments", done: i * 100, total: i * 100, requests: i });
    p.onProgress({ period: "2026-09", step: "comments", done: 1, total: 1, requests: 1 });
    p.end();
    expect(s.text().split("\n")).toEqual([
      "[blog] 2026-10 comments: 500/500, 5 requests in 0.0 s (under a minute at 60/min)",
      "[blog] 2026-09 comments: 1/1, 1 request in 0.0 s (under a minute at 60/min)",
      "",
    ]);
  });

  it("says durations as a person would", () => {
    expect(minutesInWords(30, 60)).toBe("under a minute");
    expect(minutesInWords(60, 60)).toBe("about 1 minute");
    expect(minutesInWords(806, 60)).toBe("about 13 minutes");
    expect(minutesInWords(13_000, 60)).toBe("about 3 h 37 min");
  });
});

describe("warnings", () => {
  it("collects warnings and says them once each, in words, with what to change", () => {
    const err = sink(false);
    const log = cliLogger({ env: {}, stderr: err.out });
    log.logger.warn({ event: "spotlight.read.items_capped", memberId: "1", limit: 1000 }, "capped");
    log.logger.warn({ event: "spotlight.read.items_capped", memberId: "2", limit: 1000 }, "capped");
    log.logger.warn({ event: "spotlight.http.rate_limited", waitMs: 30_000 }, "429");
    log.logger.warn({ event: "spotlight.http.rate_limited", waitMs: 15_000 }, "429");
    log.logger.info({ event: "spotlight.sync.done" }, "not a warning");
    expect(log.takeWarnings()).toEqual([
      "2 members ranked on their newest 1000 activities only (sync.maxItemsPerMember)",
      'the site answered "too many requests" 2 times: waited 45 s in all (another integration may share the budget)',
    ]);
    expect(log.takeWarnings()).toEqual([]);
    expect(err.text()).toBe("");
  });

  it("writes JSON lines at the level asked for with SPOTLIGHT_LOG_LEVEL, and still collects warnings", () => {
    const err = sink(false);
    const log = cliLogger({ env: { SPOTLIGHT_LOG_LEVEL: "info" }, stderr: err.out });
    log.logger.info({ event: "spotlight.sync.done" }, "synced");
    log.logger.warn({ event: "spotlight.unheard_of", x: 1 }, "new");
    expect(
      err
        .text()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).event),
    ).toEqual(["spotlight.sync.done", "spotlight.unheard_of"]);
    expect(log.takeWarnings()).toEqual(['1 warning "spotlight.unheard_of"']);
  });
});
