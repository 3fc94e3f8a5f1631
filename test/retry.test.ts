/** A site that is down for hours is retried for hours, not dropped after minutes. */
import { describe, expect, it } from "vitest";
import { retriedLine } from "../src/cli/retry.js";
import { defaultSettings } from "../src/config.js";
import { retryDelay } from "../src/queue/index.js";

describe("retrying a failed job", () => {
  it("tries again soon after a passing fault, then less and less often, at most an hour apart", () => {
    expect([1, 2, 3].map(retryDelay)).toEqual([2000, 4000, 8000]);
    expect(retryDelay(12)).toBe(3_600_000);
    expect(retryDelay(40)).toBe(3_600_000);
  });

  it("keeps trying for about ten hours with the default attempts", () => {
    const attempts = defaultSettings().worker.attempts;
    let waited = 0;
    for (let made = 1; made < attempts; made++) waited += retryDelay(made);
    expect(waited / 3_600_000).toBeGreaterThan(9);
    expect(waited / 3_600_000).toBeLessThan(12);
  });
});

describe("spotlight retry's report", () => {
  it("prints a platform's error on one line, without the control characters a terminal would obey", () => {
    const hostile = "HTTP 403: \u001b[2J\u001b]0;pwned\u0007key revoked\r\nrm -rf /\u0000";
    const line = retriedLine("forum", { name: "period", period: "2026-10", error: hostile });
    expect(line).toBe("queued again: forum period 2026-10 (failed: HTTP 403: [2J]0;pwnedkey revoked rm -rf /)");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is that none are left.
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(retriedLine("forum", { name: "sync", error: "x".repeat(1000) }).length).toBeLessThan(340);
  });
});
