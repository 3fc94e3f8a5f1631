/**
 * The sample forum with newcomers of every kind, for the newcomer tests: first topics answered
 * fast, late or never, a newcomer whose first post is a reply in someone else's topic, and those
 * who are never welcomed (a new moderator, a hidden profile, a suspended account, a staged one, a
 * bot), plus a newcomer with a hostile display name.
 */
import type { Community, SimPost, SimTopic, SimUser } from "../adapters/discourse/simulator/community.js";
import { simUser } from "../adapters/discourse/simulator/model.js";
import { smallCommunity } from "./helpers.js";

const at = (iso: string) => new Date(iso).toISOString();

/** The usernames of the newcomers a welcome is for, and of those it must never reach. */
export const WELCOMED = [
  "quiet_newbie",
  "earlier_newbie",
  "just_asked",
  "answered_late",
  "answered_fast",
  "replied_first",
];
export const NEVER_WELCOMED = ["new_moderator", "hidden_newbie", "suspended_newbie", "staged_newbie", "helper_bot"];
export const HOSTILE_NEWCOMER = "mallory_newbie";
export const HOSTILE_NAME = '<img src=x onerror="alert(1)"> **Mallory** [x](javascript:alert(1))';

export function newcomerCommunity(): Community {
  const base = smallCommunity();
  const users = [...base.users];
  const topics = [...base.topics];
  const posts = [...base.posts];
  let uid = Math.max(...users.map((u) => u.id)) + 1;
  let tid = Math.max(...topics.map((t) => t.id)) + 1;
  let pid = Math.max(...posts.map((p) => p.id)) + 1;
  const helper = users.find((u) => u.role === "expert")!;
  const join = (username: string, extra: Partial<SimUser> = {}): SimUser => {
    const u = simUser({
      id: uid++,
      username,
      createdAt: at("2026-10-20T08:00:00Z"),
      trustLevel: 0,
      role: "newcomer",
      ...extra,
    });
    users.push(u);
    return u;
  };
  const post = (topic: SimTopic, who: SimUser, t: string, n: number): SimPost => ({
    id: pid++,
    topicId: topic.id,
    postNumber: n,
    userId: who.id,
    createdAt: at(t),
    replyToPostNumber: n > 1 ? 1 : null,
    hidden: false,
    raw: n > 1 ? "Welcome! Here is how." : "I am new here.",
  });
  const ask = (u: SimUser, when: string, replies: Array<[SimUser, string]> = []) => {
    const topic: SimTopic = {
      id: tid++,
      userId: u.id,
      title: `How do I start, ${u.username}?`,
      slug: `how-do-i-start-${u.username}`,
      categoryId: 2,
      createdAt: at(when),
      postIds: [],
    };
    const all = [post(topic, u, when, 1), ...replies.map(([who, t], i) => post(topic, who, t, i + 2))];
    topic.postIds = all.map((p) => p.id);
    topics.push(topic);
    posts.push(...all);
    return topic;
  };
  ask(join("quiet_newbie"), "2026-10-25T10:00:00Z");
  ask(join("earlier_newbie", { createdAt: at("2026-10-10T08:00:00Z") }), "2026-10-12T10:00:00Z");
  ask(join("just_asked"), "2026-10-31T23:00:00Z");
  ask(join("new_moderator", { moderator: true, trustLevel: 4 }), "2026-10-25T10:00:00Z");
  ask(join("answered_late"), "2026-10-21T10:00:00Z", [[helper, "2026-10-23T10:00:00Z"]]);
  ask(join("answered_fast"), "2026-10-22T10:00:00Z", [[helper, "2026-10-22T10:30:00Z"]]);
  // A first post that is a reply in someone else's discussion.
  const other = ask(helper, "2026-10-24T09:00:00Z");
  const replier = join("replied_first");
  const reply = post(other, replier, "2026-10-24T12:00:00Z", 2);
  other.postIds.push(reply.id);
  posts.push(reply);
  ask(join("hidden_newbie", { hideProfile: true }), "2026-10-26T10:00:00Z");
  ask(join("suspended_newbie", { suspendedTill: at("2027-01-01T00:00:00Z") }), "2026-10-26T11:00:00Z");
  ask(join("staged_newbie", { staged: true }), "2026-10-26T12:00:00Z");
  ask(join("helper_bot", { id: -5, role: "bot" }), "2026-10-26T13:00:00Z");
  ask(join(HOSTILE_NEWCOMER, { name: HOSTILE_NAME }), "2026-10-27T10:00:00Z");
  return { ...base, users, topics, posts };
}
