/**
 * The adapter conformance suite: every platform adapter calls testAdapter() and must pass it
 * unchanged. Reading is every platform's; each capability the platform declares brings its own
 * cases (writing twice changes nothing, a lost store finds what was written, a note is found again
 * after a crash). A capability not declared has no cases, rather than skipped ones.
 */
import { describe, expect, it } from "vitest";
import type { Adapter, AdapterState, Capabilities, Platform, WriteContext } from "../../adapters/types.js";
import { type Member, SIGNALS } from "../../src/domain.js";
import { periodOf } from "../../src/period.js";

export interface AdapterHarness {
  /** The platform's descriptor (its adapters/<name>/index.ts). */
  platform: Platform;
  /** A fresh adapter against a running test platform. */
  make: () => Promise<Adapter> | Adapter;
  /** The same adapter with credentials the platform rejects. */
  makeWithBadCredentials: () => Promise<Adapter> | Adapter;
  /** A period that has activity on the test platform. */
  period: string;
  extra?: () => void;
}

/** What each capability promises the core, as the methods it needs. */
const METHODS: Record<Exclude<keyof Capabilities, "markup">, ReadonlyArray<keyof Adapter>> = {
  homepage: ["publishHomepage"],
  privateMessages: ["sendNote", "findNote"],
  newsletter: ["updateNewsletter"],
  webhooks: ["verifyWebhook", "parseWebhook"],
  badges: ["grantBadge"],
  groups: ["setGroupMembers"],
  welcome: ["publishWelcome"],
};

/** The durable state the core keeps for an adapter, in memory (a new one is a lost store). */
function memoryState(): AdapterState {
  const map = new Map<string, unknown>();
  return {
    get: async <T>(k: string) => (map.has(k) ? (structuredClone(map.get(k)) as T) : null),
    set: async (k, v) => void map.set(k, structuredClone(v)),
  };
}

export function testAdapter(h: AdapterHarness) {
  const caps = h.platform.capabilities;
  describe(`Adapter conformance: ${h.platform.name}`, () => {
    const period = periodOf(h.period);
    const write = (state = memoryState()): WriteContext => ({ period, state, dryRun: false, actions: [] });
    /** A unique run of the suite, so that what it writes is its own. */
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    let members: Member[] = [];
    const someone = async () => {
      if (!members.length)
        members = (await (await h.make()).readPeriod({ period, cursor: null, knownMembers: new Map() })).members.filter(
          (m) => !m.staff && !m.bot && !m.id.startsWith("guest:"),
        );
      expect(members.length).toBeGreaterThan(1);
      return members;
    };

    it("has its platform's name and capabilities, and the methods each capability needs", async () => {
      const a = await h.make();
      expect(a.name).toBe(h.platform.name);
      expect(a.capabilities).toEqual(caps);
      for (const [cap, methods] of Object.entries(METHODS) as Array<[keyof Capabilities, ReadonlyArray<keyof Adapter>]>)
        for (const m of methods) if (caps[cap]) expect(typeof a[m], `${cap} needs ${m}`).toBe("function");
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

    if (caps.homepage)
      it("publishes the homepage once: the same content again changes nothing, even with the store lost", async () => {
        const content = {
          title: `Community spotlight ${run}`,
          body: `The spotlight of conformance run ${run}.`,
          html: `<p>The spotlight of conformance run ${run}.</p>`,
          editReason: "conformance",
        };
        const state = memoryState();
        const first = await (await h.make()).publishHomepage!(content, write(state));
        expect(first.changed).toBe(true);
        const again = await (await h.make()).publishHomepage!(content, write(state));
        expect(again).toEqual({ url: first.url, changed: false });
        // A lost store finds the same page again: nothing is created twice.
        const lost = write();
        expect((await (await h.make()).publishHomepage!(content, lost)).url).toBe(first.url);
        expect(lost.actions.filter((x) => x.method === "POST")).toEqual([]);
      });

    if (caps.newsletter)
      it("puts the section in the period's draft once: the same section again changes nothing, even with the store lost", async () => {
        const content = {
          title: `Newsletter ${run}`,
          section: `Spotlight section ${run}`,
          html: `<p>Spotlight section ${run}</p>`,
        };
        const state = memoryState();
        expect((await (await h.make()).updateNewsletter!(content, write(state))).changed).toBe(true);
        expect((await (await h.make()).updateNewsletter!(content, write(state))).changed).toBe(false);
        expect((await (await h.make()).updateNewsletter!(content, write())).changed).toBe(false);
      });

    if (caps.welcome)
      it("puts the welcome in place once: the same again changes nothing, even with the store lost", async () => {
        const content = {
          title: `Welcome ${run}`,
          section: `The welcome of conformance run ${run}, 100% ours.`,
          html: `<p>The welcome of conformance run ${run}, 100% ours.</p>`,
          editReason: "conformance",
        };
        const state = memoryState();
        const first = await (await h.make()).publishWelcome!(content, write(state));
        expect(first.changed).toBe(true);
        expect(await (await h.make()).publishWelcome!(content, write(state))).toEqual({
          url: first.url,
          changed: false,
        });
        const lost = write();
        expect((await (await h.make()).publishWelcome!(content, lost)).changed).toBe(false);
        expect(lost.actions).toEqual([]);
      });

    if (caps.privateMessages)
      it("finds a note it sent again (a crash between sending and recording it), and not one it never sent", async () => {
        const [member, other] = await someone();
        const note = {
          member: member!,
          title: `Thank you ${run}`,
          body: `A note of conformance run ${run}.`,
          marker: `<!-- community-spotlight:note:conformance:${run}:${member!.id} -->`,
        };
        const since = new Date(0).toISOString();
        expect(await (await h.make()).findNote!(note, since)).toBeNull();
        const sent = await (await h.make()).sendNote!(note, write());
        expect(sent.ref).toBeTruthy();
        expect(await (await h.make()).findNote!(note, since)).toEqual({ ref: sent.ref });
        expect(
          await (await h.make()).findNote!(
            { ...note, member: other!, marker: note.marker.replace(member!.id, other!.id) },
            since,
          ),
        ).toBeNull();
      });

    if (caps.badges)
      it("grants the badge once a period: granting again grants nobody, even with the store lost", async () => {
        const [a, b] = await someone();
        const badge = { name: `Helper ${run}`, description: "conformance", reasonUrl: null };
        const state = memoryState();
        expect((await (await h.make()).grantBadge!(badge, [a!, b!], write(state))).granted.sort()).toEqual(
          [a!.username, b!.username].sort(),
        );
        expect((await (await h.make()).grantBadge!(badge, [a!, b!], write(state))).granted).toEqual([]);
        expect((await (await h.make()).grantBadge!(badge, [a!, b!], write())).granted).toEqual([]);
      });

    if (caps.groups)
      it("makes the group hold exactly the members given: the same again adds and removes nobody", async () => {
        const [a, b] = await someone();
        const group = `conf-${run}`.slice(0, 20);
        const set = async (who: Member[]) => {
          const r = await (await h.make()).setGroupMembers!(group, who, write());
          return { added: r.added.sort(), removed: r.removed.sort() };
        };
        expect(await set([a!, b!])).toEqual({ added: [a!.username, b!.username].sort(), removed: [] });
        expect(await set([a!, b!])).toEqual({ added: [], removed: [] });
        expect(await set([b!])).toEqual({ added: [], removed: [a!.username] });
      });

    h.extra?.();
  });
}
