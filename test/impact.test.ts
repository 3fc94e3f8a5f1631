/**
 * The recognition estimator on synthetic communities: with a planted effect it finds it, with an
 * interval around the truth; with none it does not invent one, even though the featured are
 * picked for a busy month (their activity falls back afterwards, as any busy member's does); and
 * below a handful of members it says "not enough data yet".
 */
import { describe, expect, it } from "vitest";
import {
  type Estimate,
  estimate,
  impactByGroup,
  MIN_UNITS,
  seeded,
  shareDifference,
  type Unit,
} from "../src/impact/estimate.js";

/** Poisson draws by inversion (small means). */
function poisson(mean: number, random: () => number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= random();
  } while (p > l);
  return k - 1;
}

/**
 * A community of `size` members, each with their own rate of activity; the month's most active
 * `featured` are featured (their month was high partly by chance: a naive "after against the
 * month" would show them slowing down), and being featured adds `effect` activities to their
 * next weeks (`lessActiveEffect` for those at or under the median of the featured month).
 */
function community(seed: number, o: { size?: number; featured?: number; effect: number; lessActiveEffect?: number }) {
  const random = seeded(seed);
  const members = Array.from({ length: o.size ?? 600 }, (_, i) => {
    const rate = Math.exp(Math.log(4) + 0.8 * (random() * 2 - 1) * 1.7);
    // The featured month (what the score is), the weeks before it and (below) the weeks after.
    const month = poisson(rate, random);
    const before = poisson(rate, random);
    return { memberId: String(i), rate, month, before, tenureDays: Math.floor(30 + random() * 900) };
  });
  const ranked = [...members].sort((a, b) => b.month - a.month || a.rate - b.rate);
  const featuredIds = new Set(ranked.slice(0, o.featured ?? 40).map((m) => m.memberId));
  const featuredMonths = ranked
    .slice(0, o.featured ?? 40)
    .map((m) => m.month)
    .sort((a, b) => a - b);
  const median = featuredMonths[Math.floor((featuredMonths.length - 1) / 2)]!;
  const units = members.map((m): Unit & { featured: boolean } => {
    const featured = featuredIds.has(m.memberId);
    const boost = featured ? (m.month <= median ? (o.lessActiveEffect ?? o.effect) : o.effect) : 0;
    return {
      memberId: m.memberId,
      score: m.month * 3,
      tenureDays: m.tenureDays,
      before: m.before,
      after: poisson(m.rate, random) + boost,
      featured,
    };
  });
  return { treated: units.filter((u) => u.featured), controls: units.filter((u) => !u.featured) };
}

describe("the recognition estimator", () => {
  /** Over `seeds` communities: the mean estimate, and how often the interval holds `truth`. */
  function over(
    seeds: number,
    effect: number,
    pick: (r: ReturnType<typeof impactByGroup>) => Estimate | null = (r) => r.all,
  ) {
    let sum = 0;
    let covers = 0;
    let positive = 0;
    for (let s = 1; s <= seeds; s++) {
      const c = community(100 + s, { effect });
      const r = pick(impactByGroup(c.treated, c.controls, s))!;
      sum += r.effect;
      if (r.low <= effect && r.high >= effect) covers++;
      if (r.low > 0) positive++;
    }
    return { mean: sum / seeds, covers, positive };
  }

  it("finds a planted effect, with an interval around it", () => {
    const { treated, controls } = community(7, { effect: 4 });
    expect(impactByGroup(treated, controls).all!.n).toBe(40);
    const r = over(30, 4);
    expect(r.mean).toBeGreaterThan(3.3);
    expect(r.mean).toBeLessThan(4.7);
    // A 95% interval holds the truth about 95 times in 100, and a real effect shows.
    expect(r.covers).toBeGreaterThanOrEqual(26);
    expect(r.positive).toBeGreaterThanOrEqual(20);
  });

  it("does not invent an effect where there is none, although the featured had a busy month", () => {
    // Naively, the featured "lose" activity after their month (they were picked for a high one).
    const { treated } = community(11, { effect: 0 });
    const naive = treated.reduce((s, u) => s + u.after - u.score / 3, 0) / treated.length;
    expect(naive).toBeLessThan(-1);
    // Matched on their month, against members as busy, the estimate's interval holds 0 nearly always.
    const r = over(40, 0);
    expect(Math.abs(r.mean)).toBeLessThan(0.7);
    expect(r.covers).toBeGreaterThanOrEqual(35);
  });

  it("shows the effect per activity level: harm for the less active is not averaged away", () => {
    let less = 0;
    let more = 0;
    let all = 0;
    for (let s = 1; s <= 10; s++) {
      const c = community(200 + s, { size: 1200, featured: 80, effect: 4, lessActiveEffect: -4 });
      const r = impactByGroup(c.treated, c.controls, s);
      less += r.lessActive!.effect / 10;
      more += r.moreActive!.effect / 10;
      all += r.all!.effect / 10;
    }
    expect(more).toBeGreaterThan(2.5);
    expect(less).toBeLessThan(-2.5);
    expect(Math.abs(all)).toBeLessThan(1.5);
  });

  it("says nothing under a handful of members", () => {
    expect(estimate([1, 2, 3], 1)).toBeNull();
    const { treated, controls } = community(5, { effect: 4, featured: MIN_UNITS - 1 });
    expect(impactByGroup(treated, controls).all).toBeNull();
  });

  it("gives the same interval for the same data", () => {
    const { treated, controls } = community(3, { effect: 2 });
    expect(impactByGroup(treated, controls)).toEqual(impactByGroup(treated, controls));
  });

  it("compares two shares with an interval: a difference in who came back", () => {
    const random = seeded(9);
    const welcomed = Array.from({ length: 300 }, () => random() < 0.7);
    const before = Array.from({ length: 300 }, () => random() < 0.4);
    const r = shareDifference(welcomed, before)!;
    expect(r.low).toBeGreaterThan(0.15);
    expect(r.high).toBeLessThan(0.45);
    expect(shareDifference(welcomed.slice(0, 5), before)).toBeNull();
  });
});
