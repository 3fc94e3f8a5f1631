/**
 * The forum the simulator serves: its community indexed by id and name, and every user's action
 * stream (UserAction rows), newest first, as Discourse's UserActionManager records them.
 */
import { getOrInsertComputed } from "../../../src/collections.js";
import type { Community, SimPost, SimUser } from "./community.js";

export interface ActionRow {
  type: number;
  at: string;
  post: SimPost;
  owner: number;
  acting: number;
}

export const DAY = 86_400_000;

export function avatar(u: SimUser): string {
  return `/letter_avatar_proxy/v4/letter/${encodeURIComponent(u.username[0]!.toLowerCase())}/8c91f0/{size}.png`;
}

export type Forum = ReturnType<typeof buildForum>;

/** `clockOption`: the forum's clock (default: the community's `now`, moving on with real elapsed time). */
export function buildForum(community: Community, clockOption?: () => Date) {
  const now = Date.parse(community.now);
  const startedAt = performance.now();
  const clock = clockOption ?? (() => new Date(now + Math.round(performance.now() - startedAt)));

  const users = new Map(community.users.map((u) => [u.id, u]));
  const byName = new Map(community.users.map((u) => [u.username.toLowerCase(), u]));
  const topics = new Map(community.topics.map((t) => [t.id, t]));
  const posts = new Map(community.posts.map((p) => [p.id, p]));
  const postAt = (topicId: number, n: number) => posts.get(topics.get(topicId)!.postIds[n - 1]!);

  // Every user's action stream, newest first (UserAction rows).
  const streams = new Map<number, ActionRow[]>();
  const push = (owner: number, row: Omit<ActionRow, "owner">) => {
    const list = getOrInsertComputed(streams, owner, () => []);
    list.push({ ...row, owner });
  };
  for (const p of community.posts) {
    const topic = topics.get(p.topicId)!;
    if (topic.archetype === "private_message") {
      // UserActionManager: every post of a private message is a NEW_PRIVATE_MESSAGE (12) for its
      // author and a GOT_PRIVATE_MESSAGE (13) for the other members; no topic or reply rows.
      for (const member of topic.allowed ?? [])
        push(member, { type: member === p.userId ? 12 : 13, at: p.createdAt, post: p, acting: p.userId });
      continue;
    }
    push(p.userId, { type: p.postNumber === 1 ? 4 : 5, at: p.createdAt, post: p, acting: p.userId });
    if (p.postNumber > 1) {
      const notified = new Set<number>([p.userId]);
      for (const target of [
        topic.userId,
        p.replyToPostNumber ? postAt(p.topicId, p.replyToPostNumber)?.userId : undefined,
      ]) {
        if (target === undefined || notified.has(target)) continue;
        notified.add(target);
        push(target, { type: 6, at: p.createdAt, post: p, acting: p.userId });
      }
    }
  }
  for (const l of community.likes) {
    const p = posts.get(l.postId)!;
    push(l.userId, { type: 1, at: l.createdAt, post: p, acting: l.userId });
    push(p.userId, { type: 2, at: l.createdAt, post: p, acting: l.userId });
  }
  for (const s of community.solutions) {
    const p = posts.get(s.postId)!;
    push(p.userId, { type: 15, at: s.acceptedAt, post: p, acting: s.acceptedBy });
  }
  for (const list of streams.values())
    list.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.post.id - a.post.id));

  const stats = (u: SimUser) => {
    const list = streams.get(u.id) ?? [];
    // UserStat#post_count counts replies, not the first posts of topics, and not those hidden
    // after flags (Post#hide! decrements it through UserStatCountUpdater).
    const postCount = list.filter((r) => r.type === 5 && !r.post.hidden).length;
    // Last seen: their latest own act (posting or liking), else when they joined.
    const lastSeen = list.find((r) => r.type === 1 || r.type === 4 || r.type === 5)?.at ?? u.createdAt;
    return { postCount, timeRead: postCount * 240, daysVisited: Math.min(180, postCount + 1), lastSeen };
  };

  return { community, now, clock, users, byName, topics, posts, streams, stats };
}
