/** A site that is down for hours is retried for hours, not dropped after minutes. */
import { describe, expect, it } from "vitest";
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
