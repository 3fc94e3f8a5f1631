/**
 * The adapter conformance suite: every platform adapter calls testAdapter() and must pass it
 * unchanged. Cases for capabilities an adapter lacks are skipped, never weakened.
 */
import { describe, expect, it } from "vitest";
import type { Adapter, Capabilities } from "../../adapters/types.js";
import { SIGNALS } from "../../src/domain.js";
import { periodOf } from "../../src/period.js";

export interface AdapterHarness {
  name: string;
  /** A fresh adapter against a running test platform. */
  make: () => Promise<Adapter> | Adapter;
  /** The same adapter with credentials the platform rejects. */
  makeWithBadCredentials: () => Promise<Adapter> | Adapter;
  /** A period that has activity on the test platform. */
  period: string;
  skip?: Partial<Record<keyof Capabilities, boolean>>;
  extra?: () => void;
}

export function testAdapter(h: AdapterHarness) {
  describe(`Adapter conformance: ${h.name}`, () => {
    const period = periodOf(h.period);

    it("has a fixed name and declares its capabilities", async () => {
      const a = await h.make();
      expect(a.name).toBe(h.name);
      for (const k of ["homepage", "privateMessages", "newsletter", "webhooks", "badges", "groups"] as const) expect(typeof a.capabilities[k]).toBe("boolean");
    });

    it("checks credentials at start and fails clearly when they are wrong", async () => {
      await expect((await h.make()).checkCredentials()).resolves.toHaveProperty("username");
      const err = await (await h.makeWithBadCredentials()).checkCredentials().catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err.kind).toBe("auth");
      expect(err.message).toMatch(/credentials/);
    });

    it("reads only the period's activity, each with a stable unique id and a known signal", async () => {
      const a = await h.make();
      const first = await a.readPeriod({ period, cursor: null, knownMembers: new Map() });
      expect(first.activities.length).toBeGreaterThan(0);
      const ids = new Set<string>();
      for (const act of first.activities) {
        expect(SIGNALS).toContain(act.signal);
        expect(act.at >= period.start && act.at < period.end, `${act.id} at ${act.at}`).toBe(true);
        expect(ids.has(act.id), `duplicate id ${act.id}`).toBe(false);
        ids.add(act.id);
      }
      const again = await (await h.make()).readPeriod({ period, cursor: null, knownMembers: new Map() });
      expect(new Set(again.activities.map((x) => x.id))).toEqual(ids);
    });

    it("returns a profile for every member it credits", async () => {
      const r = await (await h.make()).readPeriod({ period, cursor: null, knownMembers: new Map() });
      const profiles = new Map(r.members.map((m) => [m.id, m]));
      for (const act of r.activities) expect(profiles.has(act.memberId), `no profile for ${act.memberId}`).toBe(true);
      for (const m of r.members) {
        expect(typeof m.username).toBe("string");
        expect(["staff", "new", "basic", "member", "regular", "leader", "unknown"]).toContain(m.standing);
        expect(Number.isNaN(Date.parse(m.fetchedAt))).toBe(false);
      }
    });

    it("resumes from its cursor without losing anything", async () => {
      const a = await h.make();
      const first = await a.readPeriod({ period, cursor: null, knownMembers: new Map() });
      const known = new Map(first.members.map((m) => [m.id, m]));
      const second = await a.readPeriod({ period, cursor: first.cursor, knownMembers: known });
      expect(second.requests).toBeLessThan(first.requests);
      const all = new Set([...first.activities, ...second.activities].map((x) => x.id));
      expect(all).toEqual(new Set(first.activities.map((x) => x.id)));
    });

    h.extra?.();
  });
}
