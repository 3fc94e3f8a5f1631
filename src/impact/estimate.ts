/**
 * Did recognition change anything? A difference-in-differences estimate: each featured member's
 * change in activity (the weeks after their month against the same number of weeks before) minus
 * the change of the members most like them who were not featured (matched on their score that
 * month and tenure), averaged, with a bootstrap confidence interval. Pure functions: the data
 * come from src/impact/index.ts, the randomness from a seeded generator (the same data give the
 * same interval).
 *
 * Research finds small effects, and harm for less active members in some settings: so the estimate
 * is given per activity level, with its uncertainty, and "not enough data yet" below MIN_UNITS.
 */

import { seeded } from "../random.js";

/** One member at one month: what is matched on, and their activity before and after. */
export interface Unit {
  memberId: string;
  /** Their score that month. */
  score: number;
  /** Days since they joined (null: unknown). */
  tenureDays: number | null;
  before: number;
  after: number;
}

export interface Estimate {
  /** Featured members behind it. */
  n: number;
  /** The change attributable to being featured, in activities per window (mean over members). */
  effect: number;
  /** 95% bootstrap interval. */
  low: number;
  high: number;
}

/** Fewer featured members than this: "not enough data yet". */
export const MIN_UNITS = 8;
/** Controls matched to each featured member. */
export const MATCHES = 5;
export const BOOTSTRAP_REPS = 2000;

export { seeded };

const log1p = (x: number | null) => Math.log1p(Math.max(0, x ?? 0));

/**
 * How unlike two members were in the month: score and tenure, on a log scale. Not the activity
 * before: matching on the baseline of the outcome makes controls picked for a high "before" fall
 * back to their usual level afterwards, which reads as an effect that is not there (regression to
 * the mean; Daw and Hatfield 2018, "Matching and Regression to the Mean in Difference-in-Differences
 * Analysis"). The score is measured in the month between the two windows.
 */
function distance(a: Unit, b: Unit): number {
  const tenure =
    a.tenureDays === null || b.tenureDays === null ? 0.5 : Math.abs(log1p(a.tenureDays) - log1p(b.tenureDays));
  return Math.abs(log1p(a.score) - log1p(b.score)) + tenure;
}

/**
 * The difference in differences: each featured member's change minus the mean change of their
 * MATCHES nearest controls, averaged; its interval from a bootstrap that draws both the featured
 * members and the controls again (the featured of a month are alike, and often share their
 * nearest controls: drawing only the featured would miss how much rests on those few controls).
 * Null under MIN_UNITS featured members, or with fewer controls than MATCHES.
 */
export function diffInDiff(treated: readonly Unit[], controls: readonly Unit[], seed = 1): Estimate | null {
  if (treated.length < MIN_UNITS || controls.length < MATCHES) return null;
  const change = controls.map((c) => c.after - c.before);
  const orders = treated.map((t) =>
    controls
      .map((c, i) => ({ i, dist: distance(t, c), id: c.memberId }))
      .sort((x, y) => x.dist - y.dist || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
      .map((x) => x.i),
  );
  /** Featured member `t`'s difference, with each control counted `weight(i)` times. */
  const difference = (t: number, weight: (i: number) => number) => {
    let taken = 0;
    let sum = 0;
    for (const i of orders[t]!) {
      const w = Math.min(weight(i), MATCHES - taken);
      if (w <= 0) continue;
      taken += w;
      sum += w * change[i]!;
      if (taken === MATCHES) break;
    }
    const u = treated[t]!;
    return u.after - u.before - sum / MATCHES;
  };
  const point = treated.reduce((s, _, t) => s + difference(t, () => 1), 0) / treated.length;
  const random = seeded(seed);
  const counts = new Int32Array(controls.length);
  const means: number[] = [];
  for (let r = 0; r < BOOTSTRAP_REPS; r++) {
    counts.fill(0);
    for (let k = 0; k < controls.length; k++) counts[Math.floor(random() * controls.length)]!++;
    let s = 0;
    for (let k = 0; k < treated.length; k++) s += difference(Math.floor(random() * treated.length), (i) => counts[i]!);
    means.push(s / treated.length);
  }
  means.sort((a, b) => a - b);
  return {
    n: treated.length,
    effect: point,
    low: means[Math.floor(0.025 * BOOTSTRAP_REPS)]!,
    high: means[Math.ceil(0.975 * BOOTSTRAP_REPS) - 1]!,
  };
}

/** The mean of `d` with a percentile bootstrap interval; null under MIN_UNITS. */
export function estimate(ds: readonly number[], seed = 1): Estimate | null {
  if (ds.length < MIN_UNITS) return null;
  const random = seeded(seed);
  const means: number[] = [];
  for (let r = 0; r < BOOTSTRAP_REPS; r++) {
    let s = 0;
    for (let i = 0; i < ds.length; i++) s += ds[Math.floor(random() * ds.length)]!;
    means.push(s / ds.length);
  }
  means.sort((a, b) => a - b);
  return {
    n: ds.length,
    effect: ds.reduce((s, x) => s + x, 0) / ds.length,
    low: means[Math.floor(0.025 * BOOTSTRAP_REPS)]!,
    high: means[Math.ceil(0.975 * BOOTSTRAP_REPS) - 1]!,
  };
}

export interface GroupEstimates {
  all: Estimate | null;
  /**
   * Featured members at or under the median score of their month (of those featured), and over
   * it: by the month's score, not the weeks before, which would show the same regression to the
   * mean as matching on them.
   */
  lessActive: Estimate | null;
  moreActive: Estimate | null;
}

/** The estimate for everyone featured and per activity level. */
export function impactByGroup(treated: readonly Unit[], controls: readonly Unit[], seed = 1): GroupEstimates {
  const scores = treated.map((u) => u.score).sort((a, b) => a - b);
  const median = scores.length ? scores[Math.floor((scores.length - 1) / 2)]! : 0;
  return {
    all: diffInDiff(treated, controls, seed),
    lessActive: diffInDiff(
      treated.filter((u) => u.score <= median),
      controls,
      seed + 1,
    ),
    moreActive: diffInDiff(
      treated.filter((u) => u.score > median),
      controls,
      seed + 2,
    ),
  };
}

/**
 * The difference of two shares (e.g. newcomers who posted again, welcomed against not), with a
 * bootstrap interval; null when either side has fewer than MIN_UNITS.
 */
export function shareDifference(yes: readonly boolean[], no: readonly boolean[], seed = 1): Estimate | null {
  if (yes.length < MIN_UNITS || no.length < MIN_UNITS) return null;
  const rate = (xs: readonly boolean[]) => xs.filter(Boolean).length / xs.length;
  const random = seeded(seed);
  const draw = (xs: readonly boolean[]) => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) if (xs[Math.floor(random() * xs.length)]) s++;
    return s / xs.length;
  };
  const diffs: number[] = [];
  for (let r = 0; r < BOOTSTRAP_REPS; r++) diffs.push(draw(yes) - draw(no));
  diffs.sort((a, b) => a - b);
  return {
    n: yes.length,
    effect: rate(yes) - rate(no),
    low: diffs[Math.floor(0.025 * BOOTSTRAP_REPS)]!,
    high: diffs[Math.ceil(0.975 * BOOTSTRAP_REPS) - 1]!,
  };
}
