/**
 * Time is an input. Every "now" the product reads comes from a Clock handed to it: the CLI makes
 * the one real clock (`systemClock`) and passes it down; tests pass a fixed one. Elapsed-time
 * measurements (timeouts, rate budgets) use monotonic timers instead and never read the date.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock that reads `at` now and moves on with real elapsed time (the demo's `--now`, tests). */
export function clockFrom(at: Date): Clock {
  const start = performance.now();
  const t = at.getTime();
  return () => new Date(t + Math.round(performance.now() - start));
}
