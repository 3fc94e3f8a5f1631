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
import { simAdapter, smallCommunity, testSettings } from "../helpers.js";

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
  sim = await startSimulator({ community: smallCommunity() });
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
