/** Steps 3 and 5 of a read: the candidates' profiles, and the standing of those who liked their posts. */
import type { Member } from "../../../src/domain.js";
import { SpotlightError, StoppedError } from "../../../src/errors.js";
import { need } from "../client.js";
import { toMember, toMemberFromList } from "../map.js";
import type { DiscourseAdminUser, DiscourseUser } from "../raw.js";
import { DAY, type ReadContext, type Reading } from "./reading.js";

const ADMIN_LIST_PAGE = 100;

export async function getProfile(ctx: ReadContext, username: string, strict: boolean): Promise<Member | null> {
  const u = await getUser(ctx, username, strict);
  return u && toMember(u, ctx.http.base, ctx.now());
}

/** /u/{username}.json's user, checked; null when there is none. */
async function getUser(ctx: ReadContext, username: string, strict: boolean): Promise<DiscourseUser | null> {
  const path = `/u/${encodeURIComponent(username)}.json`;
  let body: { user?: DiscourseUser };
  try {
    body = await ctx.http.get(path);
  } catch (err) {
    if (err instanceof SpotlightError && err.kind === "not_found") return null;
    throw err;
  }
  need(body, "user", "object", path);
  const u = body.user!;
  need(u, "id", "number", path);
  need(u, "username", "string", path);
  need(u, "trust_level", "number", path);
  need(u, "admin", "boolean", path);
  need(u, "moderator", "boolean", path);
  // Without user_option we cannot see hide_profile: refuse rather than feature someone who hid.
  if (strict) need(u, "user_option", "object", path);
  return u;
}

/** 3. Candidate profiles: always fresh (someone may have hidden their profile yesterday). */
export async function fetchProfiles(r: Reading): Promise<void> {
  const { ctx, candidates, fetched } = r;
  const { options, log } = ctx;
  const progress = r.progress;
  let done = 0;
  for (const [id, username] of candidates) {
    // Read and kept before a stop: their profile went with it.
    if (r.done.has(id)) continue;
    if (r.signal?.aborted) {
      await r.save();
      throw new StoppedError();
    }
    const u = await getUser(ctx, username, true);
    const m = u && toMember(u, ctx.http.base, ctx.now());
    if (typeof u?.post_count === "number") r.replies.set(id, u.post_count);
    if (m) fetched.set(m.id, m);
    else
      log.info(
        { event: "spotlight.member.skipped", code: "profile_not_found", site: options.site.id, memberId: id },
        "profile not found",
      );
    progress("profiles", ++done, candidates.size);
  }
}

/** 5. The standing of those who liked a candidate's post and have no fresh profile. */
export async function weighLikers(r: Reading): Promise<void> {
  const { ctx, req, likers, fetched, now, start } = r;
  const { http, options, log } = ctx;
  const progress = r.progress;
  // 5. The likers' standing. Everyone who liked in the period was seen since it started, so
  //    /admin/users/list/active.json (most recently seen first, 100 a page, with trust levels)
  //    resolves them in ⌈members seen since the period began / 100⌉ requests; a few stragglers,
  //    or a handful of likers in all, are cheaper one profile at a time.
  const maxAge = options.sync.profileMaxAgeDays * DAY;
  const unknown = new Map<string, string>();
  for (const [likerId, username] of likers) {
    const known = req.knownMembers.get(likerId);
    if (!known || now.getTime() - Date.parse(known.fetchedAt) > maxAge) unknown.set(likerId, username);
  }
  let lookups = 0;
  if (unknown.size > ADMIN_LIST_PAGE / 4) {
    const path = "/admin/users/list/active.json";
    for (let page = 1; unknown.size && lookups < options.sync.maxProfileLookups; page++) {
      if (r.signal?.aborted) {
        await r.save();
        throw new StoppedError();
      }
      lookups++;
      const query = { order: "seen", page, stats: false };
      const rows = await http.get<DiscourseAdminUser[]>(path, query);
      if (!Array.isArray(rows)) need({ rows }, "rows", "array", path, query);
      for (const u of rows) {
        need(u, "trust_level", "number", path, query);
        const key = String(u.id);
        if (!unknown.has(key)) continue;
        unknown.delete(key);
        fetched.set(key, toMemberFromList(u, http.base, now, req.knownMembers.get(key)));
      }
      progress("likers", likers.size - unknown.size, likers.size);
      const last = rows[rows.length - 1];
      if (rows.length < ADMIN_LIST_PAGE || !last?.last_seen_at || Date.parse(last.last_seen_at) < start) break;
    }
  }
  let single = 0;
  for (const [likerId, username] of unknown) {
    if (r.signal?.aborted) {
      await r.save();
      throw new StoppedError();
    }
    if (lookups >= options.sync.maxProfileLookups) {
      log.warn(
        {
          event: "spotlight.read.profile_budget_exhausted",
          site: options.site.id,
          limit: options.sync.maxProfileLookups,
          left: unknown.size - single,
        },
        "some likers weigh as unknown",
      );
      break;
    }
    lookups++;
    single++;
    const m = await getProfile(ctx, username, false);
    if (m) fetched.set(likerId, m);
    progress("likers", likers.size - unknown.size + single, likers.size);
  }
}
