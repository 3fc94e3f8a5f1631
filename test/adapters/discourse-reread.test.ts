/**
 * A daily re-read of a period costs what changed, not the whole month again: a candidate whose
 * directory row is what it was at the last read (no like received, nothing posted since) is not
 * read again, neither stream nor profile; a read a plan is made from (ReadRequest.fresh) reads
 * every candidate as the forum shows them now.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DiscourseCursor } from "../../adapters/discourse/read/index.js";
import { type RunningSimulator, startSimulator } from "../../adapters/discourse/simulator/app.js";
import type { Adapter, ReadRequest } from "../../adapters/types.js";
import type { Member } from "../../src/domain.js";
import { periodOf } from "../../src/period.js";
import { SIM_NOW, simAdapter, testSettings } from "../helpers.js";
import { newcomerCommunity } from "../newcomer-world.js";

let sim: RunningSimulator;
let adapter: Adapter;
const period = periodOf("2026-10");

/** One read, and what it asked the forum for, by endpoint. */
async function read(req: Partial<ReadRequest>) {
  sim.state.requests.clear();
  const r = await adapter.readPeriod({ period, cursor: null, knownMembers: new Map(), ...req });
  return { ...r, asked: Object.fromEntries(sim.state.requests) as Record<string, number> };
}
const profiles = (asked: Record<string, number>) => asked["GET /u/{username}.json"] ?? 0;
const streams = (asked: Record<string, number>) => asked["GET /user_actions.json"] ?? 0;

beforeAll(async () => {
  sim = await startSimulator({ community: newcomerCommunity() });
  const settings = testSettings(sim.url);
  settings.sites[0] = { ...settings.sites[0]!, dataExplorer: "off" } as never;
  adapter = simAdapter(settings);
});
afterAll(() => sim?.close());

describe("a daily re-read", () => {
  it("reads again only the candidates whose directory row changed; a read for a plan reads them all", async () => {
    const first = await read({});
    const known = new Map<string, Member>(first.members.map((m) => [m.id, m]));
    const cursor = first.cursor as DiscourseCursor;
    const candidates = Object.keys(cursor.rows!);
    expect(candidates.length).toBeGreaterThan(20);
    expect(profiles(first.asked)).toBeGreaterThanOrEqual(candidates.length);

    // Nothing changed on the forum: no candidate from the directory is read again. (The newcomers'
    // step still runs, and a member who welcomed a newcomer without a directory row is read.)
    const daily = await read({ cursor, knownMembers: known });
    expect(daily.members.filter((m) => candidates.includes(m.id))).toEqual([]);
    expect(profiles(daily.asked)).toBe(daily.members.length);
    expect(profiles(daily.asked)).toBeLessThan(3);
    expect(streams(daily.asked)).toBeLessThan(streams(first.asked) - candidates.length / 2);
    expect(daily.activities.filter((a) => a.signal === "like_received")).toEqual([]);

    // One candidate's row changed (a like, a post): that one is read again, profile and stream.
    const moved = candidates.find((id) => cursor.newest[id])!;
    const changed = structuredClone(cursor);
    changed.rows![moved] = "0|0|0|0";
    const one = await read({ cursor: changed, knownMembers: known });
    expect(one.members.map((m) => m.id).sort()).toEqual([moved, ...daily.members.map((m) => m.id)].sort());
    const fromDirectory = one.activities.filter(
      (a) => candidates.includes(a.memberId) && a.signal !== "newcomer_reply",
    );
    expect(new Set(fromDirectory.map((a) => a.memberId))).toEqual(new Set([moved]));

    // The read a plan is made from reads every candidate as the forum shows them now.
    const fresh = await read({ cursor, knownMembers: known, fresh: true });
    expect(profiles(fresh.asked)).toBeGreaterThanOrEqual(candidates.length);
  });

  it("reads again only the newcomers who did something since, or whose first question is still unanswered", async () => {
    let examined = 0;
    const onProgress = (p: { step: string; total: number }) => {
      if (p.step === "newcomers") examined = p.total;
    };
    const first = await read({ onProgress });
    const cursor = first.cursor as DiscourseCursor;
    const settled = Object.keys(cursor.newcomers!);
    const waiting = first.unanswered!.map((u) => u.memberId);
    expect(settled.length).toBeGreaterThan(5);
    expect(waiting.length).toBeGreaterThan(0);
    // A newcomer whose first question nobody answered yet is never settled: the answer is awaited.
    expect(settled.filter((id) => waiting.includes(id))).toEqual([]);
    const known = new Map<string, Member>(first.members.map((m) => [m.id, m]));
    const at = SIM_NOW.toISOString();

    // Nothing happened since: only the newcomers not settled have their stream read again; the
    // others are reported as seen now, with what the first read found of them kept by the core.
    const daily = await read({ cursor, knownMembers: known });
    expect(streams(daily.asked)).toBe(examined - settled.length);
    expect(daily.unanswered).toEqual(first.unanswered);
    const before = new Map(first.newcomers!.map((n) => [n.memberId, n]));
    const again = daily.newcomers!.filter((n) => settled.includes(n.memberId));
    expect(again.length).toBe(settled.filter((id) => before.has(id)).length);
    for (const n of again) {
      expect(n.firstPostAt).toBe(before.get(n.memberId)!.firstPostAt);
      expect(n.seenAt).toBe(at);
    }
    expect((daily.cursor as DiscourseCursor).newcomers).toEqual(cursor.newcomers);

    // One newcomer visited or posted since (their row in the admin list moved): that one is read.
    const moved = structuredClone(cursor);
    moved.newcomers![settled[0]!]!.row = "[]";
    const one = await read({ cursor: moved, knownMembers: known });
    expect(streams(one.asked)).toBe(streams(daily.asked) + 1);

    // The read a plan is made from reads every newcomer: as many streams as with nothing settled.
    const fresh = await read({ cursor, knownMembers: known, fresh: true });
    const unsettled = { ...structuredClone(cursor), newcomers: {} };
    const freshAnyway = await read({ cursor: unsettled, knownMembers: known, fresh: true });
    expect(streams(fresh.asked)).toBe(streams(freshAnyway.asked));
    expect(streams(fresh.asked)).toBeGreaterThanOrEqual(examined);
  });

  it("marks a candidate's row as read only once their stream is: a read stopped half way leaves the rest to read", async () => {
    const stop = new AbortController();
    let saved: DiscourseCursor | null = null;
    let checkpoints = 0;
    const err = await adapter
      .readPeriod({
        period,
        cursor: null,
        knownMembers: new Map(),
        signal: stop.signal,
        checkpoint: async (part) => {
          saved = part.cursor as DiscourseCursor;
          if (++checkpoints === 2) stop.abort();
        },
      })
      .catch((e) => e);
    expect(err?.name).toBe("StoppedError");
    const cursor = saved! as DiscourseCursor;
    const read = new Set(cursor.partial!.done);
    expect(read.size).toBeGreaterThan(0);
    expect(read.size).toBeLessThan(cursor.partial!.candidates.length);
    expect(Object.keys(cursor.rows ?? {}).every((id) => read.has(id))).toBe(true);
  });
});
