/** Pure mappers from Discourse's raw JSON into the domain. */
import type { Activity, Member, Signal, Standing } from "../../src/domain.js";
import { ACTION, type DiscourseAdminUser, type DiscourseUser, type DiscourseUserAction, POST_TYPE } from "./raw.js";

export function absoluteUrl(base: URL, pathOrUrl: string): string {
  return new URL(pathOrUrl.startsWith("//") ? base.protocol + pathOrUrl : pathOrUrl, base).toString();
}

export function postUrl(base: URL, a: Pick<DiscourseUserAction, "slug" | "topic_id" | "post_number">): string {
  return new URL(`t/${encodeURIComponent(a.slug || "-")}/${a.topic_id}/${a.post_number}`, base).toString();
}

/** Discourse's trust levels 0-4 (TrustLevel.levels: newuser, basic, member, regular, leader) on the neutral ladder. */
const TRUST_LEVELS: readonly Standing[] = ["new", "basic", "member", "regular", "leader"];

function standing(u: Pick<DiscourseUser, "admin" | "moderator" | "trust_level">): Standing {
  if (u.admin || u.moderator) return "staff";
  return TRUST_LEVELS[u.trust_level] ?? "unknown";
}

const future = (iso: string | null | undefined, now: Date) => !!iso && Date.parse(iso) > now.getTime();

/** What every Discourse user shape tells alike: who they are and their standing. */
function identity(u: DiscourseUser | DiscourseAdminUser, base: URL) {
  return {
    id: String(u.id),
    username: u.username,
    name: u.name ?? null,
    avatarUrl: u.avatar_template ? absoluteUrl(base, u.avatar_template.replace("{size}", "120")) : null,
    profileUrl: new URL(`u/${encodeURIComponent(u.username)}`, base).toString(),
    standing: standing(u),
    createdAt: u.created_at ?? null,
    staff: !!(u.admin || u.moderator),
    bot: u.id <= 0,
  };
}

export function toMember(u: DiscourseUser, base: URL, now: Date): Member {
  return {
    ...identity(u, base),
    restricted: future(u.suspended_till, now) || future(u.silenced_till, now),
    hiddenProfile: !!(u.user_option?.hide_profile ?? u.user_option?.hide_profile_and_presence),
    staged: !!u.staged,
    groups: (u.groups ?? []).map((g) => g.name),
    // User#locale, shown to staff; members may set it when the site allows it (allow_user_locale).
    locale: u.locale || null,
    fetchedAt: now.toISOString(),
  };
}

/**
 * A row of the admin user list: enough to weigh the likes this member gives (standing), not to
 * judge their own eligibility (no hide_profile, suspension or groups), so it is never used for
 * candidates. A profile read before (`known`) keeps what it said of those, and its date: the row
 * refreshes who they are and their standing, but never turns a hidden profile visible again or
 * makes an old profile look freshly read.
 */
export function toMemberFromList(u: DiscourseAdminUser, base: URL, now: Date, known?: Member): Member {
  if (known) return { ...known, ...identity(u, base), staged: known.staged || !!u.staged };
  return {
    ...identity(u, base),
    restricted: false,
    hiddenProfile: false,
    staged: !!u.staged,
    groups: [],
    fetchedAt: now.toISOString(),
  };
}

/**
 * Where a stream item happened, as far as the item tells: "private" (a private message: never
 * counted), "restricted" (a read-restricted category, a whisper: counts, never cited), "public",
 * or "none" (a deleted post, a moderator's or small action: nothing a member did). Unlisted topics
 * and hidden first posts do not show in the stream: cited posts are confirmed with the topic itself
 * (visibility.ts) before anything public cites them.
 */
export function whereItHappened(
  a: Pick<DiscourseUserAction, "category_id" | "post_type" | "deleted" | "hidden">,
  restricted: ReadonlySet<number>,
): "private" | "restricted" | "public" | "none" {
  if (a.category_id === null) return "private";
  if (a.deleted) return "none";
  // A stream without category_id (Discourse before 2018, or a hand-made fixture) cannot show
  // where anything happened: it may count, but nothing of it is cited.
  if (a.category_id === undefined)
    return a.post_type === undefined || a.post_type === POST_TYPE.REGULAR ? "restricted" : "none";
  const type = a.post_type ?? POST_TYPE.REGULAR;
  if (type === POST_TYPE.WHISPER) return "restricted";
  if (type !== POST_TYPE.REGULAR) return "none";
  if (restricted.has(a.category_id) || a.hidden) return "restricted";
  return "public";
}

/**
 * One item of a member's own stream (filter 2,4,5,15) into an Activity, or null when it earns
 * nothing: deleted posts, private messages (never counted, whoever asks), moderator and small
 * actions. A hidden (flagged) post earns `flagged` instead of reply/topic credit. Only items anyone
 * may see are marked public (`restricted`: the site's read-restricted category ids).
 */
export function toActivity(a: DiscourseUserAction, base: URL, restricted: ReadonlySet<number>): Activity | null {
  const where = whereItHappened(a, restricted);
  if (where === "private" || where === "none") return null;
  const post = `${a.topic_id}:${a.post_number}`;
  const common = {
    memberId: String(a.target_user_id),
    at: a.created_at,
    topicId: String(a.topic_id),
    url: postUrl(base, a),
    title: a.title ?? null,
    public: where === "public",
  };
  const make = (signal: Signal, id: string, otherId: string | null = null): Activity => ({
    id,
    signal,
    otherId,
    ...common,
  });
  switch (a.action_type) {
    case ACTION.WAS_LIKED:
      return make("like_received", `like:${post}:${a.acting_user_id}`, String(a.acting_user_id));
    case ACTION.SOLVED:
      return make("solution", `solution:${post}`, String(a.acting_user_id));
    case ACTION.NEW_TOPIC:
      return a.hidden ? make("flagged", `flagged:${post}`) : make("topic", `post:${post}`);
    case ACTION.REPLY:
      return a.hidden ? make("flagged", `flagged:${post}`) : make("reply", `post:${post}`);
    default:
      return null;
  }
}
