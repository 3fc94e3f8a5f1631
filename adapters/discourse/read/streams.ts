/** Step 4 of a read, and the stream paging every step uses: /user_actions.json, newest first. */

import { StoppedError } from "../../../src/errors.js";
import { need } from "../client.js";
import { toActivity } from "../map.js";
import { ACTION, type DiscourseUserAction } from "../raw.js";
import { DAY, type ReadContext, type Reading } from "./reading.js";

/** How often a long read hands what it read to the core (ReadRequest.checkpoint). */
const CHECKPOINT_EVERY_MS = 5_000;
const CHECKPOINT_EVERY_MEMBERS = 10;

/** Discourse passes `limit` to UserAction.stream uncapped; 100 keeps each response modest. */
const STREAM_PAGE = 100;

/** One page of a member's stream, every item checked for the fields we read. */
async function streamPage(
  ctx: ReadContext,
  username: string,
  filter: string,
  offset: number,
  limit: number,
): Promise<DiscourseUserAction[]> {
  const path = "/user_actions.json";
  const query = { username, filter, offset, limit };
  const body = await ctx.http.get<{ user_actions?: DiscourseUserAction[] }>(path, query);
  need(body, "user_actions", "array", path, query);
  for (const a of body.user_actions!) {
    need(a, "action_type", "number", path, query);
    need(a, "created_at", "string", path, query);
    need(a, "topic_id", "number", path, query);
    need(a, "post_number", "number", path, query);
    need(a, "target_user_id", "number", path, query);
    need(a, "acting_user_id", "number", path, query);
  }
  return body.user_actions!;
}

/**
 * The offset of the first item older than `before` in a newest-first stream: single items probed
 * at doubling offsets, then halving, so that a member read weeks after the period does not spend
 * the period's budget paging through what came after it (about 2·log2(n / 100) small requests).
 */
async function firstOffsetBefore(ctx: ReadContext, username: string, filter: string, before: number): Promise<number> {
  const olderAt = async (offset: number) => {
    const [a] = await streamPage(ctx, username, filter, offset, 1);
    return !a || Date.parse(a.created_at) < before;
  };
  let newer = STREAM_PAGE - 1; // the first page showed items up to here all newer
  let step = STREAM_PAGE;
  let older = newer + step;
  while (!(await olderAt(older))) {
    newer = older;
    step *= 2;
    older = newer + step;
  }
  while (older - newer > STREAM_PAGE) {
    const mid = newer + Math.floor((older - newer) / 2);
    if (await olderAt(mid)) older = mid;
    else newer = mid;
  }
  return newer + 1;
}

/**
 * Page a member's stream newest-first, calling `visit` for each item, from the first item before
 * `window.end` (when given) until `window.stopBefore`; at most `maxItems` items before
 * `window.end` are read (newer ones cost nothing of that budget). True when it stopped at
 * `maxItems` with more of the window left.
 */
export async function readStream(
  ctx: ReadContext,
  username: string,
  filter: string,
  window: { end: number | null; stopBefore: number | null },
  visit: (a: DiscourseUserAction) => void,
  maxItems = Number.POSITIVE_INFINITY,
  signal?: AbortSignal,
): Promise<boolean> {
  let offset = 0;
  let counted = 0;
  for (let first = true; ; first = false) {
    if (signal?.aborted) throw new StoppedError();
    const items = await streamPage(ctx, username, filter, offset, STREAM_PAGE);
    if (!items.length) return false;
    // A whole first page after the window: jump to where the window starts.
    if (
      first &&
      window.end !== null &&
      items.length === STREAM_PAGE &&
      Date.parse(items[items.length - 1]!.created_at) >= window.end
    ) {
      offset = await firstOffsetBefore(ctx, username, filter, window.end);
      continue;
    }
    for (const a of items) {
      const t = Date.parse(a.created_at);
      if (window.stopBefore !== null && t < window.stopBefore) return false;
      if (window.end !== null && t >= window.end) continue;
      if (counted >= maxItems) return true;
      counted++;
      visit(a);
    }
    // UserAction.stream applies `limit` in its SQL (core app/models/user_action.rb): a short page
    // is the end of the stream, and asking again would cost a request for an empty one.
    if (items.length < STREAM_PAGE) return false;
    offset += items.length;
  }
}

/**
 * 4. Each candidate's own stream (likes received with the liker, topics, replies, accepted
 * answers) for the period, from the cursor minus `sync.rereadDays` on a re-read, at most
 * `sync.maxItemsPerMember` of the period's items.
 */
export async function readCandidateStreams(r: Reading): Promise<void> {
  const { ctx, cursor, candidates, fetched, likers, activities, restricted, start, end, inPeriod } = r;
  const { http, options, log } = ctx;
  const progress = r.progress;
  let done = 0;
  let savedAt = performance.now();
  let sinceSave = 0;
  for (const [id, username] of candidates) {
    if (r.done.has(id)) {
      progress("activity", ++done, candidates.size);
      continue;
    }
    if (!fetched.has(id)) continue;
    // Proven to have done nothing since their stream was read (quiet.ts): it is as read then. A
    // profile without its count of replies cannot show a post hidden since: read.
    const replies = r.replies.get(id);
    if (r.quiet.has(id) && replies !== undefined && replies === cursor.replies?.[id]) {
      cursor.readAt![id] = r.now.toISOString();
      r.done.add(id);
      progress("activity", ++done, candidates.size);
      continue;
    }
    // Stopping: what is read and done so far is kept; this member is read again next time.
    if (r.signal?.aborted) {
      await r.save();
      throw new StoppedError();
    }
    const seen = cursor.newest[id];
    const stopBefore = seen ? Math.max(start, Date.parse(seen) - options.sync.rereadDays * DAY) : start;
    const ownTopics = new Set<number>(cursor.ownTopics[id] ?? []);
    const items: DiscourseUserAction[] = [];
    let newest = seen ?? null;
    const capped = await readStream(
      ctx,
      username,
      `${ACTION.WAS_LIKED},${ACTION.NEW_TOPIC},${ACTION.REPLY},${ACTION.SOLVED}`,
      { end, stopBefore },
      (a) => {
        if (!inPeriod(a.created_at) || String(a.target_user_id) !== id) return;
        items.push(a);
        if (!newest || a.created_at > newest) newest = a.created_at;
        if (a.action_type === ACTION.NEW_TOPIC) ownTopics.add(a.topic_id);
      },
      options.sync.maxItemsPerMember,
      r.signal,
    ).catch(async (err: unknown) => {
      if (err instanceof StoppedError) await r.save();
      throw err;
    });
    if (capped)
      log.warn(
        {
          event: "spotlight.read.items_capped",
          site: options.site.id,
          memberId: id,
          limit: options.sync.maxItemsPerMember,
        },
        "member ranked on their newest activities only",
      );
    for (const a of items) {
      // A reply in a topic the member started is conversation, not help to someone else.
      if (a.action_type === ACTION.REPLY && ownTopics.has(a.topic_id) && !a.hidden) continue;
      const act = toActivity(a, http.base, restricted);
      if (!act) continue;
      activities.push(act);
      if (act.signal === "like_received" && act.otherId && !fetched.has(act.otherId) && a.acting_username)
        likers.set(act.otherId, a.acting_username);
    }
    if (newest) cursor.newest[id] = newest;
    if (ownTopics.size) cursor.ownTopics[id] = [...ownTopics].sort((a, b) => a - b);
    // The directory row that goes with what was just read (index.ts leaveOutUnchanged): recorded
    // only once the stream is read, so a read that dies half way leaves nobody marked unchanged.
    const row = r.rows.get(id);
    if (row) {
      cursor.rows ??= {};
      cursor.rows[id] = row;
    }
    cursor.readAt ??= {};
    cursor.readAt[id] = r.now.toISOString();
    if (replies !== undefined) {
      cursor.replies ??= {};
      cursor.replies[id] = replies;
    }
    r.done.add(id);
    progress("activity", ++done, candidates.size);
    // A checkpoint every few seconds or members: a successor continues from here.
    if (++sinceSave >= CHECKPOINT_EVERY_MEMBERS || performance.now() - savedAt > CHECKPOINT_EVERY_MS) {
      await r.save();
      savedAt = performance.now();
      sinceSave = 0;
    }
  }
}
