/** The places of the sample community the public cannot see, and the members whose help happens there. */

import type { SimLike, SimPost, SimSolution, SimTopic, SimUser } from "./model.js";
import { DAY, HOUR } from "./random.js";

/**
 * What the public cannot see, and members whose help happens only there: a helper in private
 * messages (never counted), a helper in the members' lounge (counted, never cited), and top
 * helpers' best answers in unlisted topics, under hidden first posts and in whispers (never cited).
 */
export function addHiddenPlaces(g: {
  rnd: () => number;
  pick: <T>(xs: readonly T[]) => T;
  exp: (mean: number) => number;
  users: SimUser[];
  topics: SimTopic[];
  posts: SimPost[];
  likes: SimLike[];
  solutions: SimSolution[];
  end: number;
  begin: number;
  add: (u: Partial<SimUser> & Pick<SimUser, "id" | "username" | "role">, w: number, q: number) => SimUser;
  iso: (t: number) => string;
  newTopic: (userId: number, t: number, support: boolean) => SimTopic;
  newPost: (topic: SimTopic, userId: number, t: number, replyTo: number | null) => SimPost;
  experts: SimUser[];
  postById: Map<number, SimPost>;
}) {
  const { rnd, pick, users, end, begin } = g;
  const nextId = Math.max(...users.map((u) => u.id)) + 1;
  const pmHelper = g.add(
    { id: nextId, username: "pm_polly", name: "Polly", trustLevel: 3, role: "private_helper" },
    0,
    0,
  );
  const loungeHelper = g.add(
    { id: nextId + 1, username: "lounge_leo", name: "Leo", trustLevel: 3, role: "restricted_helper" },
    0,
    0,
  );
  // Established members only (they joined before the timeline): newcomers' first topics stay theirs.
  const regulars = users.filter((u) => u.role === "member" && u.trustLevel >= 1);
  const when = () => begin + rnd() * (end - begin - 3 * DAY);
  const thread = (topic: SimTopic, helper: SimUser, t: number, accepted: boolean, postType?: number) => {
    const answer = g.newPost(topic, helper.id, t + 2 * HOUR, 1);
    if (postType) answer.postType = postType;
    g.newPost(topic, topic.userId, t + 5 * HOUR, answer.postNumber);
    const likers = new Set<number>();
    for (let k = 0; k < 3; k++) likers.add(pick(regulars).id);
    likers.delete(helper.id);
    let k = 0;
    for (const liker of likers)
      g.likes.push({ postId: answer.id, userId: liker, createdAt: g.iso(t + (6 + k++) * HOUR) });
    if (accepted)
      g.solutions.push({
        topicId: topic.id,
        postId: answer.id,
        acceptedBy: topic.userId,
        acceptedAt: g.iso(t + 8 * HOUR),
      });
    return answer;
  };
  // Private messages: questions answered, liked and even "solved" in private, all by one helper.
  for (let i = 0; i < 160; i++) {
    const asker = pick(regulars);
    const t = when();
    const topic = g.newTopic(asker.id, t, true);
    Object.assign(topic, { categoryId: 0, archetype: "private_message", allowed: [asker.id, pmHelper.id] });
    thread(topic, pmHelper, t, true);
  }
  // The members' lounge: real help, in a category only members see.
  for (let i = 0; i < 120; i++) {
    const t = when();
    const topic = g.newTopic(pick(regulars).id, t, true);
    topic.categoryId = 5;
    thread(topic, loungeHelper, t, rnd() < 0.6);
  }
  // Top helpers' best answers where the public cannot look: unlisted topics, topics whose first
  // post was hidden after flags (Discourse unlists them), and whispers.
  for (let i = 0; i < 60; i++) {
    const t = when();
    const topic = g.newTopic(pick(regulars).id, t, true);
    topic.visible = false;
    if (i % 2) g.posts[g.posts.length - 1]!.hidden = true; // the first post, just written
    thread(topic, g.experts[i % g.experts.length]!, t, true);
  }
  for (let i = 0; i < 60; i++) {
    const t = when();
    const topic = g.newTopic(pick(regulars).id, t, true);
    thread(topic, g.experts[i % g.experts.length]!, t, false, 4);
  }
  // A sockpuppet master and his puppets: each puppet joins, asks, gets his first (and only) reply,
  // thanks him, accepts it and likes his posts. He also helps a little for real.
  const master = g.add(
    { id: nextId + 2, username: "sock_sam", name: "Sam", trustLevel: 2, role: "puppet_master" },
    0,
    0,
  );
  const masterPosts: SimPost[] = [];
  for (let i = 0; i < 25; i++) {
    const t = end - 60 * DAY + rnd() * 58 * DAY;
    const topic = g.newTopic(pick(regulars).id, t, true);
    masterPosts.push(g.newPost(topic, master.id, t + 3 * HOUR, 1));
  }
  for (let i = 0; i < 24; i++) {
    const joined = end - 45 * DAY + i * 1.8 * DAY;
    const puppet = g.add(
      {
        id: nextId + 3 + i,
        username: `helpme_${(i * 7919 + 17).toString(36)}`,
        name: null,
        trustLevel: 0,
        createdAt: g.iso(joined),
        role: "sockpuppet",
      },
      0,
      0,
    );
    const t = joined + HOUR;
    const topic = g.newTopic(puppet.id, t, true);
    const answer = g.newPost(topic, master.id, t + HOUR, 1);
    g.newPost(topic, puppet.id, t + 2 * HOUR, answer.postNumber);
    g.solutions.push({ topicId: topic.id, postId: answer.id, acceptedBy: puppet.id, acceptedAt: g.iso(t + 3 * HOUR) });
    for (const p of [answer, ...masterPosts.slice(i % 20, (i % 20) + 3)])
      if (Date.parse(p.createdAt) < end - HOUR)
        g.likes.push({
          postId: p.id,
          userId: puppet.id,
          createdAt: g.iso(Math.max(Date.parse(p.createdAt), t) + 4 * HOUR),
        });
  }
  for (const p of g.posts) g.postById.set(p.id, p);
  g.posts.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1) || a.id - b.id);
}
