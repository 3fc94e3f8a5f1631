/**
 * Reading a period from Discourse at a cost that grows with the number of candidates, not posts
 * (each step is a module of this folder):
 *
 * 0. the read-restricted categories (/categories.json): help there counts, but is never cited;
 * 1. candidates: the top `sync.candidatesPerOrder` of /directory_items.json by likes received,
 *    replies and (with discourse-solved) solutions, in the smallest rolling window that covers the
 *    period (50 a page);
 * 2. newcomers: accounts created since `period.start - scoring.newcomer.accountAgeDays` from
 *    /admin/users/list/new.json (newest first, 100 a page); for each one who came back after
 *    signing up, their stream (topics and responses) gives the first reply to their first topic: a
 *    `newcomer_reply` for the replier, who also becomes a candidate; a newcomer whom exactly one
 *    member answered is that member's sole contact (ReadResult.soleContacts), and a first topic
 *    nobody else answered is listed for the admin (ReadResult.unanswered); each one's first post
 *    (a topic or a reply, from the same stream) says whom the welcome is for (ReadResult.newcomers);
 *    a re-read of the period leaves out the newcomers who did nothing since (newcomers.ts);
 * 3. each candidate's profile (/u/{username}.json: staff, suspended, hidden profile, groups);
 * 4. each candidate's own stream, /user_actions.json?filter=2,4,5,15 (likes received with the
 *    liker, topics, replies, accepted answers, newest first, 100 a page), from the period's end
 *    (probed for when the stream starts after it) until it is older than the period, or than the
 *    cursor minus `sync.rereadDays` on a re-read, and at most `sync.maxItemsPerMember` of the
 *    period's items; private messages (no category) never count;
 * 5. the standing (trust level) of the likers: cached profiles, else the admin user list ordered
 *    by last seen (everyone who liked in the period was seen since it began), else single
 *    profiles, `sync.maxProfileLookups` requests at most.
 *
 * So a read costs at most: 33 directory pages, the newcomer list pages and `sync.maxNewcomers`
 * streams, per candidate one profile and ⌈maxItemsPerMember / 100⌉ pages, and
 * `sync.maxProfileLookups`: bounded by the candidates, whatever the number of posts.
 */

import { periodBounds } from "../../../src/period.js";
import type { ReadRequest, ReadResult } from "../../types.js";
import { findCandidates, restrictedCategories } from "./directory.js";
import { fetchProfiles, weighLikers } from "./members.js";
import { welcomeNewcomers } from "./newcomers.js";
import { findQuiet } from "./quiet.js";
import type { DiscourseCursor, ReadContext, Reading } from "./reading.js";
import { readCandidateStreams } from "./streams.js";

export { directoryWindow, restrictedCategories } from "./directory.js";
export type { DiscourseCursor, ReadContext } from "./reading.js";

/**
 * A daily re-read (not one a plan is made from): a candidate read before whose directory row is
 * what it was then received no like and posted nothing since (the row counts likes received,
 * replies, topics and solutions in the window), so neither their stream nor their profile is read
 * again; what the earlier read found is in the store. The directory is refreshed daily by
 * Discourse (Jobs::DirectoryRefreshOlder), so a change may wait for the next day's read; a read a
 * plan is made from (ReadRequest.fresh) reads every candidate.
 */
function leaveOutUnchanged(r: Reading) {
  const before = r.cursor.rows ?? {};
  let left = 0;
  for (const [id, row] of r.rows)
    if (r.cursor.newest[id] && before[id] === row && r.req.knownMembers.has(id)) {
      r.done.add(id);
      left++;
    }
  if (left)
    r.ctx.log.info(
      { event: "spotlight.read.unchanged", site: r.ctx.options.site.id, members: left },
      "candidates with nothing new since the last read were not read again",
    );
}

/** How old a stopped read may be and still be continued rather than started over. */
const RESUME_WITHIN_MS = 6 * 3_600_000;

export async function readPeriod(ctx: ReadContext, req: ReadRequest): Promise<ReadResult> {
  const startRequests = ctx.http.requests;
  const { start, end, contains: inPeriod } = periodBounds(req.period);
  const cursor: DiscourseCursor =
    req.cursor && (req.cursor as DiscourseCursor).version === 1
      ? structuredClone(req.cursor as DiscourseCursor)
      : { version: 1, newest: {}, ownTopics: {} };
  // 0. Where the public may not look: read-restricted categories.
  const restricted = await restrictedCategories(ctx);
  ctx.restricted = restricted;
  // A read that stopped half way is continued (its candidates and what is done), unless it is
  // old enough that the newcomers and the directory should be asked again.
  const now = ctx.now();
  const resumed =
    cursor.partial && now.getTime() - Date.parse(cursor.partial.startedAt) < RESUME_WITHIN_MS ? cursor.partial : null;
  if (!resumed) delete cursor.partial;
  const r: Reading = {
    ctx,
    req,
    now,
    start,
    end,
    inPeriod,
    restricted,
    cursor,
    candidates: new Map(resumed?.candidates ?? []),
    rows: new Map(),
    activities: [],
    fetched: new Map(),
    likers: new Map(resumed?.likers ?? []),
    soleContacts: {},
    unanswered: [],
    newcomers: [],
    progress: (step, done, total) =>
      req.onProgress?.({ step, done, total, requests: ctx.http.requests - startRequests }),
    done: new Set(resumed?.done ?? []),
    quiet: new Set(),
    replies: new Map(),
    save: async () => {},
    ...(req.signal ? { signal: req.signal } : {}),
  };
  // Checkpoints: what was read so far goes to the core with the cursor to continue from.
  const sent = new Set<string>();
  let newcomersSent = false;
  if (req.checkpoint) {
    const checkpoint = req.checkpoint;
    r.save = async () => {
      cursor.partial = {
        startedAt: resumed?.startedAt ?? r.now.toISOString(),
        candidates: [...r.candidates],
        done: [...r.done],
        likers: [...r.likers],
      };
      const members = [...r.fetched.values()].filter((m) => !sent.has(m.id));
      for (const m of members) sent.add(m.id);
      await checkpoint({
        activities: r.activities.splice(0),
        members,
        cursor: structuredClone(cursor),
        ...(newcomersSent ? {} : { soleContacts: r.soleContacts, unanswered: r.unanswered, newcomers: r.newcomers }),
      });
      newcomersSent = true;
    };
  }
  if (!resumed) {
    await findCandidates(r);
    if (!req.fresh) leaveOutUnchanged(r);
    else await findQuiet(r);
    await welcomeNewcomers(r);
    await r.save();
  } else newcomersSent = true;
  await fetchProfiles(r);
  await readCandidateStreams(r);
  await weighLikers(r);
  delete cursor.partial;
  return {
    activities: r.activities,
    members: [...r.fetched.values()].filter((m) => !sent.has(m.id)),
    cursor,
    requests: ctx.http.requests - startRequests,
    ...(newcomersSent ? {} : { soleContacts: r.soleContacts, unanswered: r.unanswered, newcomers: r.newcomers }),
  };
}
