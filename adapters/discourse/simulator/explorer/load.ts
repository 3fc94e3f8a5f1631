/**
 * The simulated community, written into a real PostgreSQL as Discourse keeps it (schema.sql), so the
 * Data Explorer queries run on the same forum the simulator's API serves. Rows go in with unnest()
 * of one array per column: a 100,000-member community loads in seconds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { ROOT } from "../../../../src/manifest.js";
import type { Forum } from "../forum.js";

const SCHEMA = () => readFileSync(join(ROOT, "adapters/discourse/simulator/explorer/schema.sql"), "utf8");

/** PostActionType.types[:like] (core app/models/post_action_type.rb). */
const LIKE = 2;
const BATCH = 20_000;

/** Insert `rows` into `table`, `columns` typed as PostgreSQL array element types, in batches. */
async function insert<T>(
  db: pg.ClientBase,
  table: string,
  columns: Array<[name: string, type: string, value: (row: T) => unknown]>,
  rows: readonly T[],
): Promise<void> {
  const names = columns.map(([n]) => n).join(", ");
  const unnest = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await db.query(
      `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest})`,
      columns.map(([, , value]) => batch.map(value)),
    );
  }
}

/** Create Discourse's tables in `db` (an empty database) and fill them from the forum. */
export async function loadForum(db: pg.ClientBase, forum: Forum): Promise<void> {
  const { community } = forum;
  const now = community.now;
  await db.query(SCHEMA());
  const users = community.users;
  await insert(
    db,
    "users",
    [
      ["id", "int", (u) => u.id],
      ["username", "text", (u) => u.username],
      ["username_lower", "text", (u) => u.username.toLowerCase()],
      ["name", "text", (u) => u.name],
      ["created_at", "timestamp", (u) => u.createdAt],
      ["updated_at", "timestamp", () => now],
      ["last_seen_at", "timestamp", (u) => forum.stats(u).lastSeen],
      ["admin", "bool", (u) => u.admin],
      ["moderator", "bool", (u) => u.moderator],
      ["trust_level", "int", (u) => u.trustLevel],
      ["active", "bool", () => true],
      ["staged", "bool", (u) => u.staged],
      ["suspended_till", "timestamp", (u) => u.suspendedTill],
      ["silenced_till", "timestamp", (u) => u.silencedTill],
    ],
    users,
  );
  await insert(
    db,
    "user_options",
    [
      ["user_id", "int", (u) => u.id],
      ["hide_profile", "bool", (u) => u.hideProfile],
    ],
    users,
  );
  // The same figures the admin user list shows (serialize.ts).
  await insert(
    db,
    "user_stats",
    [
      ["user_id", "int", (u) => u.id],
      ["topics_entered", "int", (u) => forum.stats(u).postCount * 3],
      ["time_read", "int", (u) => forum.stats(u).timeRead],
      ["days_visited", "int", (u) => forum.stats(u).daysVisited],
      ["post_count", "int", (u) => forum.stats(u).postCount],
    ],
    users,
  );
  await insert(
    db,
    "categories",
    [
      ["id", "int", (c) => c.id],
      ["name", "text", (c) => c.name],
      ["slug", "text", (c) => c.slug],
      ["read_restricted", "bool", (c) => c.readRestricted],
    ],
    community.categories,
  );
  await insert(
    db,
    "topics",
    [
      ["id", "int", (t) => t.id],
      ["title", "text", (t) => t.title],
      ["slug", "text", (t) => t.slug],
      ["user_id", "int", (t) => t.userId],
      // A private message has no category (the simulator's 0).
      ["category_id", "int", (t) => (t.archetype === "private_message" ? null : t.categoryId)],
      ["archetype", "text", (t) => t.archetype ?? "regular"],
      ["visible", "bool", (t) => t.visible !== false],
      ["created_at", "timestamp", (t) => t.createdAt],
      ["updated_at", "timestamp", (t) => t.createdAt],
    ],
    community.topics,
  );
  await insert(
    db,
    "posts",
    [
      ["id", "int", (p) => p.id],
      ["user_id", "int", (p) => p.userId],
      ["topic_id", "int", (p) => p.topicId],
      ["post_number", "int", (p) => p.postNumber],
      ["raw", "text", (p) => p.raw],
      ["cooked", "text", (p) => `<p>${p.raw}</p>`],
      ["created_at", "timestamp", (p) => p.createdAt],
      ["updated_at", "timestamp", (p) => p.createdAt],
      ["reply_to_post_number", "int", (p) => p.replyToPostNumber],
      ["hidden", "bool", (p) => p.hidden],
      ["post_type", "int", (p) => p.postType ?? 1],
    ],
    community.posts,
  );
  await insert(
    db,
    "post_actions",
    [
      ["post_id", "int", (l) => l.postId],
      ["user_id", "int", (l) => l.userId],
      ["post_action_type_id", "int", () => LIKE],
      ["created_at", "timestamp", (l) => l.createdAt],
      ["updated_at", "timestamp", (l) => l.createdAt],
    ],
    community.likes,
  );
  // Groups by name, and who is in them.
  const groupIds = new Map<string, number>();
  for (const u of users) for (const g of u.groups) if (!groupIds.has(g)) groupIds.set(g, groupIds.size + 1);
  await insert(
    db,
    "groups",
    [
      ["id", "int", ([, id]) => id],
      ["name", "text", ([name]) => name],
      ["created_at", "timestamp", () => now],
      ["updated_at", "timestamp", () => now],
    ],
    [...groupIds],
  );
  await insert(
    db,
    "group_users",
    [
      ["group_id", "int", ([g]) => g],
      ["user_id", "int", ([, u]) => u],
      ["created_at", "timestamp", () => now],
      ["updated_at", "timestamp", () => now],
    ],
    users.flatMap((u) => u.groups.map((g) => [groupIds.get(g)!, u.id] as const)),
  );
  // Solved: one solved topic per topic with an accepted answer, each answer a topic answer.
  const solvedIds = new Map<number, number>();
  for (const s of community.solutions) if (!solvedIds.has(s.topicId)) solvedIds.set(s.topicId, solvedIds.size + 1);
  const firstAccepted = new Map<number, string>();
  for (const s of community.solutions)
    if (!firstAccepted.has(s.topicId) || s.acceptedAt < firstAccepted.get(s.topicId)!)
      firstAccepted.set(s.topicId, s.acceptedAt);
  await insert(
    db,
    "discourse_solved_solved_topics",
    [
      ["id", "bigint", ([, id]) => id],
      ["topic_id", "bigint", ([topic]) => topic],
      ["created_at", "timestamp", ([topic]) => firstAccepted.get(topic)],
      ["updated_at", "timestamp", ([topic]) => firstAccepted.get(topic)],
    ],
    [...solvedIds],
  );
  await insert(
    db,
    "discourse_solved_topic_answers",
    [
      ["solved_topic_id", "bigint", (s) => solvedIds.get(s.topicId)],
      ["answer_post_id", "bigint", (s) => s.postId],
      ["accepter_user_id", "bigint", (s) => s.acceptedBy],
      ["created_at", "timestamp", (s) => s.acceptedAt],
      ["updated_at", "timestamp", (s) => s.acceptedAt],
    ],
    community.solutions,
  );
  await db.query("ANALYZE");
}
