/** Step 2 of a read: newcomers, and the first reply to each one's first topic. */

import type { Newcomer, Unanswered } from "../../../src/domain.js";
import { need } from "../client.js";
import { postUrl, whereItHappened } from "../map.js";
import { ACTION, type DiscourseAdminUser, type DiscourseUserAction, POST_TYPE } from "../raw.js";
import { DAY, type Reading } from "./reading.js";
import { readStream } from "./streams.js";

const ADMIN_LIST_PAGE = 100;

/**
 * Whether an account did anything after signing up: replied, opened a topic to read, visited or
 * read. post_count alone would miss a newcomer who opened a topic and never replied (it counts
 * replies only). A field the site does not send counts as "maybe".
 */
const cameBack = (u: DiscourseAdminUser) =>
  [u.post_count, u.topics_entered, u.days_visited, u.time_read].some((n) => typeof n !== "number" || n > 0);

/**
 * What the admin list shows of a newcomer's own doing: replies, topics opened, days visited, time
 * read and when last seen. Opening a topic of their own means a visit (last seen and days visited
 * move; Discourse's User#update_last_seen!), a reply moves post_count, so the same row on a later
 * day means they posted nothing since. Null when a field is missing: then nothing can be told.
 * (A topic started by e-mail alone, with no visit and no reply, does not show here: it is seen
 * once the newcomer visits or replies.)
 */
function activityRow(u: DiscourseAdminUser): string | null {
  const fields = [u.post_count, u.topics_entered, u.days_visited, u.time_read, u.last_seen_at];
  return fields.every((f) => f !== undefined) ? JSON.stringify(fields) : null;
}

/**
 * 2. Accounts created since `period.start - scoring.newcomer.accountAgeDays` who came back: the
 * first reply to each one's first topic is a `newcomer_reply` (its author becomes a candidate); a
 * newcomer whom exactly one member answered is that member's sole contact. Accounts up to
 * `sync.followNewcomersDays` old are followed too, for the newcomer journey only (when they
 * posted again, when they first helped someone else): nothing of theirs counts as a newcomer's.
 */
export async function welcomeNewcomers(r: Reading): Promise<void> {
  const { ctx, restricted, activities, soleContacts, unanswered, candidates, start, end, inPeriod } = r;
  const { newcomers: posted } = r;
  const { http, options, log } = ctx;
  const progress = r.progress;
  const ageMs = options.scoring.newcomer.accountAgeDays * DAY;
  const followMs = Math.max(ageMs, options.sync.followNewcomersDays * DAY);
  const newcomers: DiscourseAdminUser[] = [];
  for (let page = 1; ; page++) {
    const query = { order: "created", page };
    const rows = await http.get<DiscourseAdminUser[]>("/admin/users/list/new.json", query);
    if (!Array.isArray(rows)) need({ rows }, "rows", "array", "/admin/users/list/new.json", query);
    let older = false;
    for (const u of rows) {
      need(u, "created_at", "string", "/admin/users/list/new.json", query);
      const created = Date.parse(u.created_at);
      if (created < start - followMs) {
        older = true;
        continue;
      }
      if (created < end && u.id > 0 && !u.staged && cameBack(u)) newcomers.push(u);
    }
    if (newcomers.length > options.sync.maxNewcomers) {
      log.warn(
        { event: "spotlight.read.newcomers_capped", site: options.site.id, limit: options.sync.maxNewcomers },
        "more newcomers posted than sync.maxNewcomers; the newest were examined",
      );
      newcomers.length = options.sync.maxNewcomers;
      break;
    }
    if (older || rows.length < ADMIN_LIST_PAGE) break;
  }
  // Newcomers whose posts only one member ever answered (sockpuppets look like this).
  // A re-read of the period leaves out a newcomer who did nothing since the last read (their row
  // in the list is what it was: activityRow) and whose stream held nothing we still wait for (no
  // first question left unanswered, and someone answered them if they posted): what that read found
  // stands (their first reply's credit and sole contact are in the store, their journey record and
  // unanswered question come again). One who waits is read again, but by a plan's read when the
  // webhook proved no news of them or of the topics they posted in (quiet.ts). A plan's read still
  // reads the member who first answered a newcomer left out, as a candidate.
  const before = r.cursor.newcomers ?? {};
  const kept: NonNullable<typeof r.cursor.newcomers> = {};
  r.cursor.newcomers = kept;
  let done = 0;
  let left = 0;
  for (const n of newcomers) {
    const id = String(n.id);
    const row = activityRow(n);
    const last = before[id];
    // (An entry of an older cursor, without `waits`, is read again.)
    if (row && last?.row === row && typeof last.waits === "boolean" && (!last.waits || r.quiet.has(id))) {
      kept[id] = last.waits ? { ...last, readAt: r.now.toISOString() } : last;
      if (r.req.fresh && last.replier) candidates.set(last.replier[0], last.replier[1]);
      if (last.newcomer) posted.push({ ...last.newcomer, seenAt: r.now.toISOString() });
      if (last.unanswered) unanswered.push(last.unanswered);
      progress("newcomers", ++done, newcomers.length);
      left++;
      continue;
    }
    let firstTopic: DiscourseUserAction | null = null;
    const own: DiscourseUserAction[] = [];
    const responses: DiscourseUserAction[] = [];
    await readStream(
      ctx,
      n.username,
      `${ACTION.NEW_TOPIC},${ACTION.REPLY},${ACTION.RESPONSE}`,
      { end: null, stopBefore: null },
      (a) => {
        // A private message is nobody's first topic and nobody's welcome.
        const where = whereItHappened(a, restricted);
        if (where === "private" || where === "none") return;
        // A whisper or a hidden reply is no welcome: the newcomer never saw it.
        if (a.action_type === ACTION.RESPONSE && ((a.post_type ?? POST_TYPE.REGULAR) !== POST_TYPE.REGULAR || a.hidden))
          return;
        if (a.action_type !== ACTION.RESPONSE) own.push(a);
        if (a.action_type === ACTION.NEW_TOPIC && (!firstTopic || a.created_at < firstTopic.created_at)) firstTopic = a;
        if (a.action_type === ACTION.RESPONSE) responses.push(a);
      },
      options.sync.maxItemsPerMember,
      r.signal,
    );
    progress("newcomers", ++done, newcomers.length);
    const posts = own.map((a) => a.created_at).sort();
    const ownTopics = new Set(own.filter((a) => a.action_type === ACTION.NEW_TOPIC).map((a) => a.topic_id));
    const helped = own.filter((a) => a.action_type === ACTION.REPLY && !ownTopics.has(a.topic_id));
    const journey = {
      memberId: String(n.id),
      username: n.username,
      joinedAt: n.created_at,
      staff: n.admin || n.moderator,
      nextPostAt: posts[1] ?? null,
      firstHelpAt: helped.map((a) => a.created_at).sort()[0] ?? null,
      seenAt: r.now.toISOString(),
    };
    let record: Newcomer | null = null;
    /** What this read found, for the next read (see `before` above). */
    const keep = (waits: boolean, question: Unanswered | null = null, replier?: [string, string]) => {
      if (row)
        kept[id] = {
          row,
          readAt: r.now.toISOString(),
          topics: [...new Set(own.map((a) => a.topic_id))].sort((a, b) => a - b),
          newcomer: record,
          unanswered: question,
          waits,
          ...(replier ? { replier } : {}),
        };
    };
    // Followed for the journey only: no longer a newcomer here.
    if (Date.parse(n.created_at) < start - ageMs) {
      if (posts[0]) {
        record = { ...journey, firstPostAt: posts[0], firstQuestion: null };
        posted.push(record);
      }
      keep(false);
      continue;
    }
    const responders = new Set(responses.map((r) => r.acting_user_id).filter((id) => id !== n.id));
    if (responders.size === 1) soleContacts[String(n.id)] = String([...responders][0]);
    // A newcomer who posted and whom nobody answered yet may still become someone's sole contact
    // (a sockpuppet answered only by its owner) without doing anything more: read again.
    const waits = posts.length > 0 && responders.size === 0;
    const asked = firstTopic as DiscourseUserAction | null;
    const topic = asked && Date.parse(asked.created_at) - Date.parse(n.created_at) <= ageMs ? asked : null;
    const first = topic
      ? responses
          .filter((r) => r.topic_id === topic.topic_id && r.acting_user_id !== n.id)
          .sort((a, b) =>
            a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.post_number - b.post_number,
          )[0]
      : undefined;
    if (posts[0]) {
      record = {
        ...journey,
        firstPostAt: posts[0],
        firstQuestion: topic
          ? {
              at: topic.created_at,
              topicId: String(topic.topic_id),
              answeredAt: first?.created_at ?? null,
              answeredBy: first ? String(first.acting_user_id) : null,
            }
          : null,
      };
      posted.push(record);
    }
    // Only an unanswered first question waits for someone else's reply: the others are settled.
    if (!topic) {
      keep(waits);
      continue;
    }
    if (!first) {
      // Staff who just joined are not left waiting by the community.
      const question =
        n.admin || n.moderator
          ? null
          : {
              memberId: String(n.id),
              username: n.username,
              url: postUrl(http.base, topic),
              title: topic.title ?? null,
              at: topic.created_at,
            };
      if (question) unanswered.push(question);
      keep(true, question);
      continue;
    }
    if (!inPeriod(first.created_at)) {
      keep(waits);
      continue;
    }
    activities.push({
      id: `newcomer_reply:${first.topic_id}:${first.post_number}`,
      memberId: String(first.acting_user_id),
      signal: "newcomer_reply",
      at: first.created_at,
      otherId: String(n.id),
      topicId: String(first.topic_id),
      url: postUrl(http.base, first),
      title: first.title ?? null,
      public: whereItHappened(first, restricted) === "public" && whereItHappened(topic, restricted) === "public",
    });
    if (first.acting_username) candidates.set(String(first.acting_user_id), first.acting_username);
    keep(waits, null, first.acting_username ? [String(first.acting_user_id), first.acting_username] : undefined);
  }
  if (left)
    log.info(
      { event: "spotlight.read.newcomers_unchanged", site: options.site.id, members: left },
      "newcomers who did nothing since the last read were not read again",
    );
}
