/**
 * A deterministic, seeded sample community for the simulator and the demo: about 500 members and
 * 20k posts over 6 months, with the people a real forum has and the traps a ranking must survive:
 *
 * - experts who answer support questions for many different people (the ones to feature);
 * - welcomers who reply first to newcomers' first topics;
 * - staff who answer a lot (never featured), a bot that greets newcomers (never featured);
 * - a like-ring of three accounts liking each other's every post;
 * - a loud member who posts constantly and is liked mostly by one enthusiastic fan;
 * - a suspended member and a member who hid their profile, both otherwise helpful;
 * - newcomers joining every month, late likes and accepted answers that cross month boundaries;
 * - what the public cannot see: private messages (a member who helps only there), a read-restricted
 *   category (a member who helps only there), unlisted topics, hidden first posts and whispers,
 *   some of them holding a top helper's best answers;
 * - a sockpuppet master: brand-new trust-level-0 accounts open topics he answers first, accept his
 *   answers and like his posts, and nobody else ever deals with them.
 */

import { addHiddenPlaces } from "./hidden.js";
import * as M from "./model.js";
import { DAY, FIRST, HOUR, LAST, NOUNS, prng, VERBS, weightedPickPost } from "./random.js";

export type * from "./model.js";
export { prng } from "./random.js";

export function generateCommunity(options: M.CommunityOptions): M.Community {
  const rnd = prng(options.seed ?? 42);
  const memberCount = options.members ?? 500;
  const postTarget = options.posts ?? 20_000;
  const months = options.months ?? 6;
  const end = options.now.getTime();
  const startDate = new Date(end);
  startDate.setUTCMonth(startDate.getUTCMonth() - months);
  const begin = startDate.getTime();
  const iso = (t: number) => new Date(Math.round(t)).toISOString();
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const exp = (mean: number) => -Math.log(1 - rnd()) * mean;

  // ---- members -------------------------------------------------------------------------------
  const users: M.SimUser[] = [];
  const weight = new Map<number, number>(); // how much a member posts
  const quality = new Map<number, number>(); // how likeable / helpful their posts are
  const add = (u: Partial<M.SimUser> & Pick<M.SimUser, "id" | "username" | "role">, w: number, q: number) => {
    const user = M.simUser({ createdAt: iso(begin - (30 + rnd() * 700) * DAY), trustLevel: 2, ...u });
    user.groups = [...user.groups, ...Array.from({ length: user.trustLevel + 1 }, (_, i) => `trust_level_${i}`)];
    users.push(user);
    weight.set(user.id, w);
    quality.set(user.id, q);
    return user;
  };
  add(
    {
      id: -1,
      username: "system",
      name: "system",
      admin: true,
      trustLevel: 4,
      role: "bot",
      groups: ["admins", "staff"],
    },
    0,
    0,
  );
  add({ id: -2, username: "greeter_bot", name: "Greeter Bot", trustLevel: 4, role: "bot" }, 3, 0.5);
  add(
    {
      id: 1,
      username: "admin_alex",
      name: "Alex (Admin)",
      admin: true,
      trustLevel: 4,
      role: "staff",
      groups: ["admins", "staff"],
    },
    10,
    2.2,
  );
  add(
    {
      id: 2,
      username: "mod_mira",
      name: "Mira",
      moderator: true,
      trustLevel: 4,
      role: "staff",
      groups: ["moderators", "staff"],
    },
    9,
    2.0,
  );
  add(
    {
      id: 3,
      username: "mod_tomas",
      name: "Tomás",
      moderator: true,
      trustLevel: 3,
      role: "staff",
      groups: ["moderators", "staff"],
    },
    6,
    1.6,
  );
  const ringStart = end - 65 * DAY;
  for (const [i, n] of ["ring_a", "ring_b", "ring_c"].entries())
    add(
      {
        id: 4 + i,
        username: `${n}${100 + i}`,
        name: `Ring ${n.slice(-1).toUpperCase()}`,
        trustLevel: 1,
        createdAt: iso(ringStart + i * DAY),
        role: "ring",
      },
      9,
      0.1,
    );
  add({ id: 7, username: "loud_larry", name: "Larry", trustLevel: 2, role: "loud" }, 14, 0.15);
  add({ id: 8, username: "fan_frank", name: "Frank", trustLevel: 1, role: "fan" }, 1, 0.2);
  add(
    {
      id: 9,
      username: "suspended_sid",
      name: "Sid",
      trustLevel: 3,
      suspendedTill: iso(end + 200 * DAY),
      role: "suspended",
    },
    6,
    2.0,
  );
  add({ id: 10, username: "hidden_hedda", name: "Hedda", trustLevel: 3, hideProfile: true, role: "hidden" }, 6, 2.2);
  // Experts: helpful, answer support questions. One has a hostile display name and title on purpose.
  const expertNames: Array<[string, string | null, string | null]> = [
    ["ada_lovelace", 'Ada <script>alert("x")</script> 🦊', "[quote]Answer machine[/quote]"],
    ["grace_h", "Grace Hopper", "Compiler whisperer"],
    ["linus_t", "Linus", null],
    ["margaret_h", "Margaret H.", null],
    ["katherine_j", "@everyone Katherine", "](javascript:alert(1))"],
    ["dennis_r", "Dennis\u202Eevil\u202C R.", null],
    ["barbara_l", "Barbara Liskov", null],
    ["ken_t", "Ken", null],
  ];
  let id = 11;
  for (const [username, name, title] of expertNames)
    add({ id: id++, username, name, title, trustLevel: 3, role: "expert" }, 5 + rnd() * 4, 1.8 + rnd() * 0.6);
  for (const username of ["welcome_wanda", "friendly_femi", "kind_kenji"])
    add({ id: id++, username, name: username.replace("_", " "), trustLevel: 2, role: "welcomer" }, 4, 1.2);
  // Everybody else: a long tail; some joined during the timeline (newcomers).
  while (users.length < memberCount + 2) {
    const first = pick(FIRST);
    const username = `${first}_${pick(LAST)}${id}`;
    const joinedInside = rnd() < 0.3;
    const createdAt = joinedInside ? begin + rnd() * (end - begin - 2 * DAY) : begin - (10 + rnd() * 900) * DAY;
    const tl = joinedInside ? (rnd() < 0.6 ? 0 : 1) : pick([1, 1, 2, 2, 2, 3]);
    add(
      {
        id: id++,
        username,
        name: rnd() < 0.8 ? `${first[0]!.toUpperCase()}${first.slice(1)}` : null,
        createdAt: iso(createdAt),
        trustLevel: tl,
        role: joinedInside ? "newcomer" : "member",
      },
      rnd() ** 3 * 3,
      0.4 + rnd() * 0.8,
    );
  }
  const byId = new Map(users.map((u) => [u.id, u]));
  const createdMs = new Map(users.map((u) => [u.id, Date.parse(u.createdAt)]));
  const posters = users.filter((u) => (weight.get(u.id) ?? 0) > 0 && u.id !== -2);
  /**
   * Picks among the pool's members who existed at time t, in proportion to w: members sorted by
   * join time with running weight totals, so a pick is two binary searches (a large community is
   * generated in seconds). Build one after the weights it reads have settled.
   */
  const sampler = (pool: readonly M.SimUser[], w: (u: M.SimUser) => number) => {
    const rows = pool.map((u) => ({ u, t: createdMs.get(u.id)!, x: w(u) })).filter((r) => r.x > 0);
    rows.sort((a, b) => a.t - b.t || a.u.id - b.u.id);
    const times = rows.map((r) => r.t);
    const totals: number[] = [];
    let sum = 0;
    for (const r of rows) {
      sum += r.x;
      totals.push(sum);
    }
    return (t: number): M.SimUser | null => {
      const r = rnd();
      let lo = 0;
      let hi = times.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (times[mid]! <= t) lo = mid + 1;
        else hi = mid;
      }
      if (lo === 0) return null;
      const target = r * totals[lo - 1]!;
      let a = 0;
      let b = lo - 1;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (totals[mid]! < target) a = mid + 1;
        else b = mid;
      }
      return rows[a]!.u;
    };
  };

  // ---- topics and replies ------------------------------------------------------------------------
  const topics: M.SimTopic[] = [];
  const posts: M.SimPost[] = [];
  const likes: M.SimLike[] = [];
  const solutions: M.SimSolution[] = [];
  let postId = 1;
  const newPost = (topic: M.SimTopic, userId: number, t: number, replyTo: number | null): M.SimPost => {
    const p: M.SimPost = {
      id: postId++,
      topicId: topic.id,
      postNumber: topic.postIds.length + 1,
      userId,
      createdAt: iso(t),
      replyToPostNumber: replyTo,
      hidden: false,
      raw: "",
    };
    p.raw = p.postNumber === 1 ? `Hi all, ${topic.title.toLowerCase()}` : `Reply ${p.postNumber} in topic ${topic.id}.`;
    topic.postIds.push(p.id);
    posts.push(p);
    return p;
  };
  const newTopic = (userId: number, t: number, support: boolean): M.SimTopic => {
    const title = support
      ? `How do I ${pick(VERBS)} ${pick(NOUNS)}?`
      : `Show and tell: my ${pick(NOUNS).replace(/^the |^a /, "")} setup`;
    const topic: M.SimTopic = {
      id: topics.length + 1,
      userId,
      title,
      slug: title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, ""),
      categoryId: support ? 2 : 1,
      createdAt: iso(t),
      postIds: [],
    };
    topics.push(topic);
    newPost(topic, userId, t, null);
    return topic;
  };
  const helperWeight = (support: boolean) => (u: M.SimUser) => {
    const w = weight.get(u.id) ?? 0;
    if (u.role === "expert") return w * (support ? 3 : 1);
    if (u.role === "staff") return w * (support ? 2 : 1);
    if (u.role === "ring" || u.role === "newcomer") return w * 0.3;
    return w;
  };
  let helpers = { support: sampler(posters, helperWeight(true)), chat: sampler(posters, helperWeight(false)) };
  const addReplies = (topic: M.SimTopic, t0: number, count: number, support: boolean, firstBy?: M.SimUser | null) => {
    let t = t0;
    for (let i = 0; i < count; i++) {
      t += exp(10 * HOUR);
      if (t >= end) return;
      const author = i === 0 && firstBy ? firstBy : (support ? helpers.support : helpers.chat)(t);
      if (!author) continue;
      const replyTo = rnd() < 0.4 ? 1 + Math.floor(rnd() * topic.postIds.length) : null;
      newPost(topic, author.id, t, replyTo);
    }
  };

  // Newcomers: a first question within days of joining; often welcomed first by a welcomer or the bot.
  const welcomers = users.filter((x) => x.role === "welcomer");
  const experts = users.filter((x) => x.role === "expert");
  for (const u of users.filter((x) => x.role === "newcomer")) {
    if (rnd() < 0.25) continue; // lurkers
    const t = Date.parse(u.createdAt) + exp(2 * DAY);
    if (t >= end) continue;
    const topic = newTopic(u.id, t, true);
    const r = rnd();
    const first = r < 0.5 ? pick(welcomers) : r < 0.65 ? byId.get(-2)! : r < 0.8 ? pick(experts) : null;
    addReplies(topic, t, 2 + Math.floor(rnd() * 4), true, first);
    if (rnd() < 0.5) weight.set(u.id, 0.3 + rnd()); // some newcomers stay
  }
  // Everyone else's topics until the post target is met (newcomers who stayed now post too).
  helpers = { support: sampler(posters, helperWeight(true)), chat: sampler(posters, helperWeight(false)) };
  const starter = sampler(posters, (u) => (u.role === "expert" ? 0.5 : (weight.get(u.id) ?? 0)));
  while (posts.length < postTarget) {
    const t = begin + rnd() * (end - begin);
    const support = rnd() < 0.6;
    const author = starter(t);
    if (!author) continue;
    const topic = newTopic(author.id, t, support);
    addReplies(topic, t, Math.floor(exp(4)), support);
  }
  // The ring talks among itself: each posts in the others' threads.
  const ring = users.filter((u) => u.role === "ring");
  for (let i = 0; i < 90; i++) {
    const t = ringStart + 2 * DAY + rnd() * (end - ringStart - 3 * DAY);
    const topic = newTopic(ring[i % 3]!.id, t, false);
    for (let k = 1; k <= 3; k++) newPost(topic, ring[(i + k) % 3]!.id, t + k * HOUR, 1);
  }
  // The loud member: many short replies everywhere.
  const loud = users.find((u) => u.role === "loud")!;
  for (let i = 0; i < Math.round(postTarget * 0.03); i++) {
    const topic = pick(topics);
    const t = Date.parse(topic.createdAt) + exp(DAY);
    if (t < end) newPost(topic, loud.id, t, null);
  }
  posts.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1) || a.id - b.id);
  for (const topic of topics) topic.postIds.sort((a, b) => a - b);

  // ---- likes ---------------------------------------------------------------------------------------
  const liker = sampler(
    users.filter((u) => u.id > 0 && u.role !== "ring" && u.role !== "fan"),
    (u) => 0.2 + (weight.get(u.id) ?? 0),
  );
  const postById = new Map(posts.map((p) => [p.id, p]));
  for (const p of posts) {
    const author = byId.get(p.userId)!;
    const n = Math.floor(exp((quality.get(author.id) ?? 0.5) * 1.6));
    const given = new Set<number>();
    for (let i = 0; i < n; i++) {
      const at = Date.parse(p.createdAt) + exp(1.5 * DAY);
      if (at >= end) continue;
      const who = liker(at);
      if (!who || who.id === p.userId || given.has(who.id)) continue;
      given.add(who.id);
      likes.push({ postId: p.id, userId: who.id, createdAt: iso(at) });
    }
    if (author.role === "ring") {
      for (const r of ring)
        if (r.id !== author.id)
          likes.push({ postId: p.id, userId: r.id, createdAt: iso(Date.parse(p.createdAt) + 20 * 60_000) });
    }
    if (author.role === "loud")
      likes.push({ postId: p.id, userId: 8, createdAt: iso(Date.parse(p.createdAt) + 30 * 60_000) });
  }
  for (const l of likes) if (Date.parse(l.createdAt) >= end) l.createdAt = iso(end - 1000);

  // ---- accepted answers and hidden posts ----------------------------------------------------------
  for (const topic of topics) {
    if (topic.categoryId !== 2 || topic.postIds.length < 2 || rnd() > 0.65) continue;
    const replies = topic.postIds.slice(1).map((pid) => postById.get(pid)!);
    const chosen = weightedPickPost(
      replies,
      (p) => (p.userId === topic.userId ? 0.05 : (quality.get(p.userId) ?? 0.5)) ** 2,
      rnd,
    );
    if (!chosen) continue;
    const at = Date.parse(chosen.createdAt) + exp(DAY);
    if (at >= end) continue;
    solutions.push({ topicId: topic.id, postId: chosen.id, acceptedBy: topic.userId, acceptedAt: iso(at) });
  }
  for (const p of posts) if ((p.userId === loud.id && rnd() < 0.01) || rnd() < 0.002) p.hidden = true;

  const categories: M.SimCategory[] = [
    { id: 1, slug: "general", name: "General", readRestricted: false },
    { id: 2, slug: "support", name: "Support", readRestricted: false },
    { id: 3, slug: "newsletter", name: "Newsletter", readRestricted: true },
    { id: 4, slug: "announcements", name: "Announcements", readRestricted: false },
    { id: 5, slug: "members-lounge", name: "Members' lounge", readRestricted: true },
  ];
  if (options.hiddenPlaces !== false)
    addHiddenPlaces({
      rnd,
      pick,
      exp,
      users,
      topics,
      posts,
      likes,
      solutions,
      end,
      begin,
      add,
      iso,
      newTopic,
      newPost,
      experts,
      postById,
    });
  return { now: iso(end), categories, users, topics, posts, likes, solutions };
}
