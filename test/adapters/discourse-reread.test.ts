/**
 * A daily re-read of a period costs what changed, not the whole month again: a candidate whose
 * directory row is what it was at the last read (no like received, nothing posted since) is not
 * read again, neither stream nor profile; a read a plan is made from (ReadRequest.fresh) reads
 * every candidate as the forum shows them now.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DiscourseCursor } from "../../adapters/discourse/read/index.js";
import { type RunningSimulator, startSimulator } from "../../adapters/discourse/simulator/app.js";
import { simUser } from "../../adapters/discourse/simulator/model.js";
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

/** The adapter for the forum at `url`, reading through the API (not Data Explorer). */
function apiOnly(url: string) {
  const settings = testSettings(url);
  settings.sites[0] = { ...settings.sites[0]!, dataExplorer: "off" } as never;
  return simAdapter(settings);
}

beforeAll(async () => {
  sim = await startSimulator({ community: newcomerCommunity() });
  adapter = apiOnly(sim.url);
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
    const settled = Object.keys(cursor.newcomers!).filter((id) => !cursor.newcomers![id]!.waits);
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

    // The read a plan is made from leaves them out too, but reads the member who first answered
    // each of them in the period as a candidate (profile and stream), as the forum shows them now.
    const repliers = Object.values(cursor.newcomers!).flatMap((n) => (n.replier ? [n.replier[0]] : []));
    expect(repliers.length).toBeGreaterThan(0);
    const fresh = await read({ cursor, knownMembers: known, fresh: true });
    const profiled = new Set(fresh.members.map((m) => m.id));
    expect(repliers.filter((id) => !profiled.has(id))).toEqual([]);
  });

  it("keeps reading a newcomer nobody answered: a sockpuppet its owner answers later is the owner's sole contact", async () => {
    // A new account replies in someone else's topic and likes a member's posts; nobody answers it.
    const before = newcomerCommunity();
    const owner = before.users.find((u) => u.role === "expert")!;
    const topic = before.topics.find(
      (t) => t.userId !== owner.id && t.createdAt.startsWith("2026-10-0") && t.postIds.length > 1,
    )!;
    const puppet = simUser({
      id: Math.max(...before.users.map((u) => u.id)) + 1,
      username: "quiet_puppet",
      createdAt: "2026-10-24T08:00:00.000Z",
      trustLevel: 0,
      role: "newcomer",
    });
    before.users.push(puppet);
    let pid = Math.max(...before.posts.map((p) => p.id));
    const reply = (who: number, at: string, to: number) => {
      const p = { id: ++pid, topicId: topic.id, postNumber: topic.postIds.length + 1, userId: who, createdAt: at };
      topic.postIds.push(p.id);
      return { ...p, replyToPostNumber: to, hidden: false, raw: "Thanks, this is what I needed." };
    };
    const own = reply(puppet.id, "2026-10-26T10:00:00.000Z", 1);
    before.posts.push(own);
    for (const p of before.posts.filter((x) => x.userId === owner.id).slice(0, 3))
      before.likes.push({ postId: p.id, userId: puppet.id, createdAt: "2026-10-26T10:05:00.000Z" });
    // Later its owner answers it, and the puppet itself does nothing more.
    const after = structuredClone(before);
    const answer = reply(owner.id, "2026-10-28T10:00:00.000Z", own.postNumber);
    after.topics.find((t) => t.id === topic.id)!.postIds = [...topic.postIds];
    after.posts.push(answer);

    const s1 = await startSimulator({ community: before });
    const s2 = await startSimulator({ community: after });
    try {
      const first = await apiOnly(s1.url).readPeriod({ period, cursor: null, knownMembers: new Map() });
      const cursor = first.cursor as DiscourseCursor;
      expect(Object.values(cursor.newcomers!).filter((n) => !n.waits).length).toBeGreaterThan(5);
      expect(cursor.newcomers![String(puppet.id)]!.waits).toBe(true);
      expect(first.soleContacts?.[String(puppet.id)]).toBeUndefined();

      const daily = await apiOnly(s2.url).readPeriod({
        period,
        cursor,
        knownMembers: new Map(first.members.map((m) => [m.id, m])),
      });
      expect(daily.soleContacts?.[String(puppet.id)]).toBe(String(owner.id));
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it("never lets a liker's row in the admin list pass for their profile: what an earlier profile said is kept", async () => {
    const first = await read({});
    // Profiles stored long ago, one of them saying the member hid it: too old to weigh likes with.
    const old = "2026-01-01T00:00:00.000Z";
    const stored = new Map(
      first.members.map((m) => [m.id, { ...m, hiddenProfile: true, groups: ["kept"], fetchedAt: old }]),
    );
    const again = await read({ knownMembers: stored });
    const fromList = again.members.filter((m) => m.fetchedAt !== SIM_NOW.toISOString());
    expect(fromList.length).toBeGreaterThan(10);
    for (const m of fromList) expect(m).toMatchObject({ fetchedAt: old, hiddenProfile: true, groups: ["kept"] });
    // The profiles read now (the candidates') say what the forum says.
    expect(
      again.members.filter((m) => m.fetchedAt === SIM_NOW.toISOString() && !m.hiddenProfile).length,
    ).toBeGreaterThan(10);
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
