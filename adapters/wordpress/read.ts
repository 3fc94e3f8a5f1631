/**
 * Reading a period from WordPress: approved comments and their threads, posts by members, and the
 * members themselves, through the REST API (100 a page, X-WP-TotalPages).
 *
 *   comment with no parent on a post              topic (started a discussion)
 *   reply to someone else's comment               reply (otherId: the person answered)
 *   first reply to a member's first-ever comment  newcomer_reply (the replier welcomed them)
 *   published post by a member                    topic
 *
 * Cost: ⌈users/100⌉ (skipped while cached profiles are fresh) + ⌈comments in the period/100⌉ +
 * ⌈parents outside the period/100⌉ + one request per author whose first comment is not known yet
 * (kept in the cursor) + ⌈posts commented on/100⌉ (their titles) + ⌈posts in the period/100⌉;
 * and, in adapter.ts, one request asking whether the site's plugin is there (once per adapter),
 * with it ⌈votes/500⌉ and one report (site-plugin.ts).
 */
import type { Activity, Member, Newcomer, Unanswered } from "../../src/domain.js";
import type { HttpClient } from "../../src/http.js";
import { periodBounds } from "../../src/period.js";
import type { AdapterOptions, ReadRequest, ReadResult } from "../types.js";
import { pages } from "./client.js";
import { wordPressSite } from "./context.js";
import { authorKey, guestMember, toMember, utc } from "./map.js";
import type { WpComment, WpPost, WpUser } from "./raw.js";

const DAY = 86_400_000;

export interface WordPressCursor {
  version: 1;
  /** Author key -> id of their first-ever comment (it never changes while it exists). */
  firstComment: Record<string, number>;
}

export interface WpReadContext {
  http: HttpClient;
  options: AdapterOptions;
  identityKey: string;
  now: () => Date;
}

export async function readPeriod(ctx: WpReadContext, req: ReadRequest): Promise<ReadResult> {
  const { http, options } = ctx;
  const start0 = http.requests;
  const now = ctx.now();
  const { start, end, contains: inPeriod } = periodBounds(req.period);
  const cursor: WordPressCursor =
    req.cursor && (req.cursor as WordPressCursor).version === 1
      ? structuredClone(req.cursor as WordPressCursor)
      : { version: 1, firstComment: {} };
  const progress = (step: string, done: number, total: number) =>
    req.onProgress?.({ step, done, total, requests: http.requests - start0 });
  const key = (c: WpComment) => authorKey(c, ctx.identityKey);
  const site = wordPressSite(options);
  const guestsCount = site.guests;

  // Members: every user with their roles (staff are decided by role), unless all are fresh.
  const members = new Map<string, Member>();
  const maxAge = options.sync.profileMaxAgeDays * DAY;
  const known = [...req.knownMembers.values()].filter((m) => !m.id.startsWith("guest:"));
  const fresh =
    known.length > 0 && known.every((m) => now.getTime() - Date.parse(m.fetchedAt) <= Math.min(maxAge, DAY));
  if (!fresh) {
    for await (const page of pages<WpUser>(http, "wp/v2/users", { context: "edit", orderby: "id", order: "asc" })) {
      for (const u of page) members.set(String(u.id), toMember(u, site.staffRoles, now));
      progress("members", members.size, members.size);
    }
  }
  const isMember = (id: string) => members.has(id) || req.knownMembers.has(id);
  const profileOf = (id: string) => members.get(id) ?? req.knownMembers.get(id);

  // The period's approved comments (a day of slack each side: the filter uses site-local time).
  const comments: WpComment[] = [];
  const query = {
    context: "edit",
    status: "approve",
    type: "comment",
    orderby: "id",
    order: "asc",
    after: new Date(start - DAY).toISOString(),
    before: new Date(end + DAY).toISOString(),
  };
  for await (const page of pages<WpComment>(http, "wp/v2/comments", query)) {
    for (const c of page) if (c.status === "approved" && inPeriod(utc(c.date_gmt))) comments.push(c);
    progress("comments", comments.length, comments.length);
  }
  const byId = new Map(comments.map((c) => [c.id, c]));

  // Parents outside the period, 100 at a time.
  const missing = [...new Set(comments.map((c) => c.parent).filter((p) => p > 0 && !byId.has(p)))];
  for (let i = 0; i < missing.length; i += 100) {
    for await (const page of pages<WpComment>(http, "wp/v2/comments", {
      context: "edit",
      status: "approve",
      include: missing.slice(i, i + 100).join(","),
    }))
      for (const c of page) byId.set(c.id, c);
  }

  // Guests become members when the admin allows it.
  const guestName = new Map<string, string>();
  for (const c of byId.values()) if (c.author === 0) guestName.set(key(c), c.author_name);
  if (guestsCount) for (const [k, name] of guestName) members.set(k, guestMember(k, name, now));
  const credited = (c: WpComment) => (c.author > 0 ? isMember(String(c.author)) : guestsCount);

  // Whose first-ever comment is a parent here? One request per author not yet in the cursor.
  const replies = comments.filter((c) => c.parent > 0 && byId.has(c.parent));
  const parentAuthors = new Map<string, WpComment>();
  for (const r of replies) {
    const p = byId.get(r.parent)!;
    if (key(p) !== key(r) && credited(p)) parentAuthors.set(key(p), p);
  }
  /** The id of an author's first-ever approved comment, asked once and kept in the cursor. */
  const firstComment = async (c: WpComment): Promise<number | undefined> => {
    const k = key(c);
    if (cursor.firstComment[k] !== undefined) return cursor.firstComment[k];
    const q: Record<string, string | number> = {
      context: "edit",
      status: "approve",
      orderby: "id",
      order: "asc",
      per_page: 1,
    };
    if (c.author > 0) q.author = c.author;
    else if (c.author_email) q.author_email = c.author_email;
    else return undefined;
    const first = await http.get<WpComment[]>("wp/v2/comments", q);
    if (Array.isArray(first) && first[0]) cursor.firstComment[k] = first[0].id;
    return cursor.firstComment[k];
  };
  let done = 0;
  for (const p of parentAuthors.values()) {
    progress("newcomers", ++done, parentAuthors.size);
    await firstComment(p);
  }

  // The titles of the posts the comments are on, for the evidence the notes quote, and which of
  // them anyone may read (published, no password): only comments there are ever cited.
  const titles = new Map<number, string>();
  const publicPosts = new Set<number>();
  const postIds = [...new Set(comments.filter(credited).map((c) => c.post))];
  for (let i = 0; i < postIds.length; i += 100) {
    for await (const page of pages<WpPost>(http, "wp/v2/posts", {
      context: "edit",
      include: postIds.slice(i, i + 100).join(","),
      status: "publish",
    }))
      for (const p of page) {
        titles.set(p.id, p.title.raw ?? p.title.rendered ?? "");
        if (p.status === "publish" && !p.password) publicPosts.add(p.id);
      }
  }

  const activities: Activity[] = [];
  const welcomed = new Set<number>();
  for (const c of [...comments].sort((a, b) =>
    a.date_gmt < b.date_gmt ? -1 : a.date_gmt > b.date_gmt ? 1 : a.id - b.id,
  )) {
    if (!credited(c)) continue;
    const who = key(c);
    const at = utc(c.date_gmt);
    const common = {
      memberId: who,
      at,
      topicId: `post:${c.post}`,
      url: c.link,
      title: titles.get(c.post) || null,
      public: publicPosts.has(c.post),
    };
    if (c.parent === 0) {
      activities.push({ id: `comment:${c.id}`, signal: "topic", otherId: null, ...common });
      continue;
    }
    const parent = byId.get(c.parent);
    if (!parent || key(parent) === who) continue; // talking to oneself helps nobody
    // A guest counts as a person helped, or a newcomer welcomed, only where guests count at all.
    const counts = credited(parent);
    activities.push({ id: `comment:${c.id}`, signal: "reply", otherId: counts ? key(parent) : null, ...common });
    if (counts && cursor.firstComment[key(parent)] === parent.id && !welcomed.has(parent.id)) {
      welcomed.add(parent.id); // the first reply (in time) to their first comment
      activities.push({ id: `newcomer_reply:${c.id}`, signal: "newcomer_reply", otherId: key(parent), ...common });
    }
  }

  // Posts published in the period by members.
  for await (const page of pages<WpPost>(http, "wp/v2/posts", {
    context: "edit",
    status: "publish",
    after: new Date(start - DAY).toISOString(),
    before: new Date(end + DAY).toISOString(),
  })) {
    for (const p of page) {
      const at = utc(p.date_gmt);
      if (!inPeriod(at) || !isMember(String(p.author))) continue;
      activities.push({
        id: `post:${p.id}`,
        memberId: String(p.author),
        signal: "topic",
        at,
        otherId: null,
        topicId: `post:${p.id}`,
        url: p.link,
        title: p.title.raw ?? p.title.rendered ?? null,
        public: !p.password,
      });
    }
  }
  // Newcomers (first-ever comment this period) whom exactly one person answered.
  const repliers = new Map<string, Set<string>>();
  for (const c of comments) {
    const p = c.parent > 0 ? byId.get(c.parent) : undefined;
    if (!p || !credited(p) || !credited(c) || key(p) === key(c)) continue;
    const set = repliers.get(key(p)) ?? new Set<string>();
    set.add(key(c));
    repliers.set(key(p), set);
  }
  const soleContacts: Record<string, string> = {};
  for (const [k, set] of repliers) {
    const first = byId.get(cursor.firstComment[k] ?? -1);
    if (set.size === 1 && first && inPeriod(utc(first.date_gmt))) soleContacts[k] = [...set][0]!;
  }
  const unanswered = await unansweredFirstComments();
  const newcomers = await newMembersWhoCommented();
  return {
    activities,
    members: [...members.values()],
    cursor,
    requests: http.requests - start0,
    soleContacts,
    unanswered,
    newcomers,
  };

  /**
   * Registered members who joined within scoring.newcomer.accountAgeDays of the period's start and
   * whose first-ever approved comment is in it: whom the welcome is for. Their first question is
   * that comment when it starts a thread, answered when someone else replied in the period.
   */
  async function newMembersWhoCommented(): Promise<Newcomer[]> {
    const young = start - options.scoring.newcomer.accountAgeDays * DAY;
    const since = Math.min(young, start - options.sync.followNewcomersDays * DAY);
    const earliest = new Map<string, WpComment>();
    for (const c of [...comments].sort((a, b) =>
      a.date_gmt < b.date_gmt ? -1 : a.date_gmt > b.date_gmt ? 1 : a.id - b.id,
    )) {
      const m = c.author > 0 ? profileOf(key(c)) : undefined;
      if (m?.createdAt && Date.parse(m.createdAt) >= since && !earliest.has(key(c))) earliest.set(key(c), c);
    }
    const out: Newcomer[] = [];
    let examined = 0;
    for (const [k, c] of earliest) {
      if (examined++ >= options.sync.maxNewcomers) break;
      if ((await firstComment(c)) !== c.id) continue;
      const m = profileOf(k)!;
      const answer = comments
        .filter((r) => r.parent === c.id && key(r) !== k)
        .sort((a, b) => (a.date_gmt < b.date_gmt ? -1 : a.date_gmt > b.date_gmt ? 1 : a.id - b.id))[0];
      const theirs = comments.filter((x) => key(x) === k).map((x) => utc(x.date_gmt));
      const helping = comments
        .filter((x) => key(x) === k && x.parent > 0 && byId.has(x.parent) && key(byId.get(x.parent)!) !== k)
        .map((x) => utc(x.date_gmt));
      out.push({
        memberId: k,
        username: m.username,
        joinedAt: m.createdAt!,
        firstPostAt: utc(c.date_gmt),
        staff: m.staff,
        // A first question is a newcomer's: one who joined before the newcomer window is followed only.
        firstQuestion:
          c.parent === 0 && Date.parse(m.createdAt!) >= young
            ? {
                at: utc(c.date_gmt),
                topicId: `post:${c.post}`,
                answeredAt: answer ? utc(answer.date_gmt) : null,
                answeredBy: answer ? key(answer) : null,
              }
            : null,
        nextPostAt: theirs.sort()[1] ?? null,
        firstHelpAt: helping.sort()[0] ?? null,
        seenAt: now.toISOString(),
      });
    }
    return out;
  }

  /**
   * Members' first-ever comments, top-level and of this period, that nobody else has answered (for
   * the admin's list; staff and guests aside). Whether anyone answered is asked of WordPress itself,
   * as a reply may have come after the period: a request or two a newcomer, sync.maxNewcomers at most.
   */
  async function unansweredFirstComments(): Promise<Unanswered[]> {
    const answered = new Set(
      comments
        .filter((c) => c.parent > 0 && byId.has(c.parent) && key(byId.get(c.parent)!) !== key(c))
        .map((c) => c.parent),
    );
    const earliest = new Map<string, WpComment>();
    for (const c of [...comments].sort((a, b) =>
      a.date_gmt < b.date_gmt ? -1 : a.date_gmt > b.date_gmt ? 1 : a.id - b.id,
    ))
      if (c.author > 0 && c.parent === 0 && !earliest.has(key(c))) earliest.set(key(c), c);
    const out: Unanswered[] = [];
    let examined = 0;
    for (const [k, c] of earliest) {
      const m = profileOf(k);
      if (!m || m.staff || m.bot || answered.has(c.id)) continue;
      if (examined++ >= options.sync.maxNewcomers) break;
      if ((await firstComment(c)) !== c.id) continue;
      const later = await http.get<WpComment[]>("wp/v2/comments", {
        context: "edit",
        status: "approve",
        parent: c.id,
        per_page: 100,
      });
      if (Array.isArray(later) && later.some((r) => key(r) !== k)) continue;
      out.push({
        memberId: k,
        username: m.username,
        url: c.link,
        title: titles.get(c.post) || null,
        at: utc(c.date_gmt),
      });
    }
    return out;
  }
}
