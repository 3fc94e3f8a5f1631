/** Admin passwords: scrypt hashes, checked off the event loop. */
import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../src/server/auth.js";

const PASSWORD = "correct horse battery staple";

describe("password checks", () => {
  it("run off the event loop: eight at once never hold up the server's other work", async () => {
    const hash = hashPassword(PASSWORD);
    const t0 = performance.now();
    scryptSync("x", "salt", 32, { N: 16384, r: 8, p: 1 });
    const oneCheck = performance.now() - t0;
    let last = performance.now();
    let worstGap = 0;
    const tick = setInterval(() => {
      const t = performance.now();
      worstGap = Math.max(worstGap, t - last);
      last = t;
    }, 2);
    try {
      expect(
        await Promise.all(Array.from({ length: 8 }, (_, i) => verifyPassword(i ? `wrong-${i}` : PASSWORD, hash))),
      ).toEqual([true, ...Array(7).fill(false)]);
      await new Promise((r) => setTimeout(r, 10)); // let the timer see any gap the checks left
    } finally {
      clearInterval(tick);
    }
    // Done on the event loop, the eight checks would have stopped the timer for about 8 × oneCheck.
    expect(worstGap).toBeLessThan(3 * oneCheck);
  });
});
