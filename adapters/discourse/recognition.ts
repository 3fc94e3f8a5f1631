/**
 * Badges and the flair group. The badge is created once (found by name), granted once per member
 * and period (a ledger entry with crash recovery from the member's badges); the group is
 * reconciled to exactly the period's featured members.
 */

import type { Member } from "../../src/domain.js";
import { SpotlightError } from "../../src/errors.js";
import type { BadgeContent, WriteContext } from "../types.js";
import { need } from "./client.js";
import type { DiscourseContext } from "./context.js";
import { write } from "./publish.js";

interface BadgeRecord {
  status: "intent" | "granted";
  at: string;
}

async function findBadge(d: DiscourseContext, name: string): Promise<number | null> {
  const body = await d.http.get<{ badges?: Array<{ id: number; name: string }> }>("/admin/badges.json");
  need(body, "badges", "array", "/admin/badges.json");
  return body.badges!.find((b) => b.name.toLowerCase() === name.toLowerCase())?.id ?? null;
}

async function hasGrantSince(d: DiscourseContext, username: string, badgeId: number, since: string): Promise<boolean> {
  const path = `/user-badges/${encodeURIComponent(username)}.json`;
  const body = await d.http.get<{ user_badges?: Array<{ badge_id: number; granted_at: string }> }>(path);
  need(body, "user_badges", "array", path);
  const after = Date.parse(since) - 60 * 60_000;
  return body.user_badges!.some((g) => g.badge_id === badgeId && Date.parse(g.granted_at) >= after);
}

export async function grantBadge(
  d: DiscourseContext,
  badge: BadgeContent,
  members: readonly Member[],
  w: WriteContext,
): Promise<{ granted: string[] }> {
  let badgeId = (await w.state.get<number>("badge:id")) ?? (await findBadge(d, badge.name));
  if (badgeId === null) {
    const created = await write<{ badge: { id: number } }>(
      d,
      w,
      "POST",
      "/admin/badges.json",
      {
        name: badge.name,
        badge_type_id: 3,
        description: badge.description,
        multiple_grant: true,
        listable: true,
        enabled: true,
        allow_title: false,
        icon: "fa-certificate",
      },
      `create the badge "${badge.name}"`,
    );
    if (created) {
      need(created, "badge", "object", "/admin/badges.json");
      badgeId = created.badge.id;
    }
  }
  if (badgeId !== null && !w.dryRun) await w.state.set("badge:id", badgeId);
  const granted: string[] = [];
  for (const m of members) {
    const key = `badge:${w.period.id}:${m.id}`;
    const rec = await w.state.get<BadgeRecord>(key);
    if (rec?.status === "granted") continue;
    // Asked of the member's badges after a crash, and when the store knows nothing (lost or second store).
    if (
      (!rec || rec.status === "intent") &&
      badgeId !== null &&
      (await hasGrantSince(d, m.username, badgeId, rec?.at ?? w.period.end))
    ) {
      if (!w.dryRun) await w.state.set(key, { status: "granted", at: rec?.at ?? w.period.end });
      continue;
    }
    const at = rec?.at ?? d.now().toISOString();
    if (!w.dryRun) await w.state.set(key, { status: "intent", at });
    await write(
      d,
      w,
      "POST",
      "/user_badges.json",
      {
        username: m.username,
        badge_id: badgeId ?? "{new badge}",
        ...(badge.reasonUrl ? { reason: badge.reasonUrl } : {}),
      },
      `grant "${badge.name}" to ${m.username}`,
    );
    if (!w.dryRun) await w.state.set(key, { status: "granted", at });
    granted.push(m.username);
  }
  return { granted };
}

export async function setGroupMembers(
  d: DiscourseContext,
  name: string,
  members: readonly Member[],
  w: WriteContext,
): Promise<{ added: string[]; removed: string[] }> {
  let group: { id: number } | null = null;
  try {
    const body = await d.http.get<{ group?: { id: number } }>(`/groups/${encodeURIComponent(name)}.json`);
    need(body, "group", "object", `/groups/${name}.json`);
    group = body.group!;
  } catch (err) {
    if (!(err instanceof SpotlightError && err.kind === "not_found")) throw err;
  }
  const current = new Map<string, string>(); // lower-case username -> username
  if (group) {
    const path = `/groups/${encodeURIComponent(name)}/members.json`;
    for (let offset = 0; ; ) {
      const body = await d.http.get<{ members?: Array<{ username: string }>; meta?: { total?: number } }>(path, {
        limit: 200,
        offset,
      });
      need(body, "members", "array", path, { limit: 200, offset });
      for (const m of body.members!) current.set(m.username.toLowerCase(), m.username);
      offset += body.members!.length;
      if (!body.members!.length || offset >= (body.meta?.total ?? 0)) break;
    }
  } else {
    const created = await write<{ basic_group: { id: number } }>(
      d,
      w,
      "POST",
      "/admin/groups.json",
      { group: { name, visibility_level: 0 } },
      `create the group "${name}"`,
    );
    if (created) {
      need(created, "basic_group", "object", "/admin/groups.json");
      group = created.basic_group;
    }
  }
  const wanted = new Map(members.map((m) => [m.username.toLowerCase(), m.username]));
  const removed = [...current].filter(([k]) => !wanted.has(k)).map(([, v]) => v);
  const added = [...wanted].filter(([k]) => !current.has(k)).map(([, v]) => v);
  const id = group ? String(group.id) : "{new group}";
  if (removed.length)
    await write(
      d,
      w,
      "DELETE",
      `/groups/${id}/members.json`,
      { usernames: removed.join(",") },
      `remove ${removed.join(", ")} from the group "${name}"`,
    );
  if (added.length)
    await write(
      d,
      w,
      "PUT",
      `/groups/${id}/members.json`,
      { usernames: added.join(",") },
      `add ${added.join(", ")} to the group "${name}"`,
    );
  return { added, removed };
}
