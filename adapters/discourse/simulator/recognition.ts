/** The simulator's badges and groups: create a badge, grant it, list grants; groups and members. */

import type { Express, Request, Response } from "express";
import type { SimUser } from "./community.js";
import { ERR_404 } from "./errors.js";

export interface SimBadge {
  id: number;
  name: string;
  description: string;
  badgeTypeId: number;
  multipleGrant: boolean;
}

export interface SimRecognition {
  badges: SimBadge[];
  grants: Array<{
    id: number;
    badgeId: number;
    userId: number;
    grantedAt: string;
    reason: string | null;
    grantedBy: number;
  }>;
  groups: Map<string, { id: number; name: string; members: Set<number>; addedAt: Map<number, string> }>;
}

interface Ctx {
  users: Map<number, SimUser>;
  byName: Map<string, SimUser>;
  avatar: (u: SimUser) => string;
  clock: () => string;
  log: (req: Request, res: Response) => void;
}

const BADGE_TYPES = [
  { id: 1, name: "Gold", sort_order: 9 },
  { id: 2, name: "Silver", sort_order: 8 },
  { id: 3, name: "Bronze", sort_order: 7 },
];

/** BasicGroupSerializer's fields, as the spec requires them. */
export function basicGroupJson(g: {
  id: number;
  name: string;
  automatic: boolean;
  userCount: number;
  flairUrl: string | null;
}) {
  return {
    id: g.id,
    automatic: g.automatic,
    name: g.name,
    user_count: g.userCount,
    mentionable_level: 0,
    messageable_level: 0,
    visibility_level: g.automatic ? 1 : 0,
    primary_group: false,
    title: null,
    grant_trust_level: null,
    incoming_email: null,
    has_messages: false,
    flair_url: g.flairUrl,
    flair_bg_color: null,
    flair_color: null,
    bio_raw: null,
    bio_cooked: null,
    bio_excerpt: null,
    public_admission: false,
    public_exit: false,
    allow_membership_requests: false,
    full_name: null,
    default_notification_level: 3,
    membership_request_template: null,
    members_visibility_level: 0,
    can_see_members: true,
    can_admin_group: true,
    publish_read_state: false,
  };
}

export function registerRecognition(app: Express, ctx: Ctx): SimRecognition {
  const rec: SimRecognition = {
    badges: [
      {
        id: 1,
        name: "Basic User",
        description: "Granted all essential community functions",
        badgeTypeId: 3,
        multipleGrant: false,
      },
      { id: 2, name: "Solved 1", description: "Had an answer accepted", badgeTypeId: 3, multipleGrant: false },
    ],
    grants: [],
    groups: new Map(),
  };
  const badgeJson = (b: SimBadge) => ({
    id: b.id,
    name: b.name,
    description: b.description,
    grant_count: rec.grants.filter((g) => g.badgeId === b.id).length,
    allow_title: false,
    multiple_grant: b.multipleGrant,
    icon: "fa-certificate",
    image_url: null,
    listable: true,
    enabled: true,
    badge_grouping_id: 5,
    system: b.id < 100,
    long_description: "",
    slug: b.name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    manually_grantable: true,
    query: null,
    trigger: null,
    target_posts: false,
    auto_revoke: false,
    show_posts: false,
    badge_type_id: b.badgeTypeId,
    image_upload_id: null,
    show_in_post_header: false,
  });
  const groupJson = (g: { id: number; name: string; members: Set<number> }) =>
    basicGroupJson({ id: g.id, name: g.name, automatic: false, userCount: g.members.size, flairUrl: "fa-star" });
  const findGroup = (key: string) => {
    const byId = [...rec.groups.values()].find((g) => String(g.id) === key);
    return byId ?? rec.groups.get(key.toLowerCase());
  };
  const names = (raw: unknown) =>
    String(raw ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);

  app.get("/admin/badges.json", (_req, res) => {
    res.json({
      badges: rec.badges.map(badgeJson),
      badge_types: BADGE_TYPES,
      badge_groupings: [{ id: 5, name: "Other", description: null, position: 14, system: true }],
      admin_badges: {
        protected_system_fields: [
          "name",
          "badge_type_id",
          "multiple_grant",
          "target_posts",
          "show_posts",
          "query",
          "trigger",
          "auto_revoke",
          "listable",
        ],
        triggers: { user_change: 8, none: 0, post_revision: 2, trust_level_change: 4, post_action: 1 },
        badge_ids: rec.badges.map((b) => b.id),
        badge_grouping_ids: [5],
        badge_type_ids: [1, 2, 3],
      },
    });
  });

  app.post("/admin/badges.json", (req, res) => {
    const { name, badge_type_id, description, multiple_grant } = req.body ?? {};
    if (typeof name !== "string" || !name.trim()) return void res.status(422).json({ errors: ["Name can't be blank"] });
    if (rec.badges.some((b) => b.name.toLowerCase() === name.toLowerCase()))
      return void res.status(422).json({ errors: ["Name has already been taken"] });
    ctx.log(req, res);
    const badge: SimBadge = {
      id: 100 + rec.badges.length,
      name,
      description: String(description ?? ""),
      badgeTypeId: Number(badge_type_id ?? 3),
      multipleGrant: String(multiple_grant) === "true",
    };
    rec.badges.push(badge);
    res.json({ badge_types: BADGE_TYPES, badge: badgeJson(badge) });
  });

  // Not in the OpenAPI spec: core's UserBadgesController#create.
  app.post("/user_badges.json", (req, res) => {
    const { username, badge_id, reason } = req.body ?? {};
    const user = ctx.byName.get(String(username ?? "").toLowerCase());
    const badge = rec.badges.find((b) => b.id === Number(badge_id));
    if (!user || !badge) return void res.status(404).json(ERR_404);
    ctx.log(req, res);
    if (!badge.multipleGrant && rec.grants.some((g) => g.badgeId === badge.id && g.userId === user.id))
      return void res.status(422).json({ errors: ["Badge already granted"] });
    const grant = {
      id: rec.grants.length + 1,
      badgeId: badge.id,
      userId: user.id,
      grantedAt: ctx.clock(),
      reason: reason ? String(reason) : null,
      grantedBy: (res.locals.actor as SimUser).id,
    };
    rec.grants.push(grant);
    res.json({
      badges: [badgeJson(badge)],
      badge_types: BADGE_TYPES,
      users: [{ id: user.id, username: user.username, avatar_template: ctx.avatar(user) }],
      user_badge: {
        id: grant.id,
        granted_at: grant.grantedAt,
        badge_id: badge.id,
        user_id: user.id,
        granted_by_id: grant.grantedBy,
      },
    });
  });

  app.get("/user-badges/:username.json", (req, res) => {
    const user = ctx.byName.get(String(req.params.username).toLowerCase());
    if (!user) return void res.status(404).json(ERR_404);
    res.json({
      user_badges: rec.grants
        .filter((g) => g.userId === user.id)
        .map((g) => ({
          id: g.id,
          granted_at: g.grantedAt,
          grouping_position: 0,
          is_favorite: null,
          can_favorite: false,
          badge_id: g.badgeId,
          granted_by_id: g.grantedBy,
        })),
    });
  });

  app.get("/groups/:id.json", (req, res) => {
    const g = findGroup(String(req.params.id));
    if (!g) return void res.status(404).json(ERR_404);
    const base = groupJson(g);
    res.json({
      group: {
        ...base,
        is_group_user: false,
        is_group_owner_display: false,
        mentionable: false,
        messageable: false,
        automatic_membership_email_domains: null,
        smtp_server: null,
        smtp_port: null,
        smtp_ssl_mode: null,
        imap_server: null,
        imap_port: null,
        imap_ssl: null,
        imap_mailbox_name: "",
        imap_mailboxes: [],
        email_username: null,
        email_password: null,
        imap_last_error: null,
        imap_old_emails: null,
        imap_new_emails: null,
        message_count: 0,
        allow_unknown_sender_topic_replies: false,
        watching_category_ids: [],
        tracking_category_ids: [],
        watching_first_post_category_ids: [],
        regular_category_ids: [],
        muted_category_ids: [],
      },
      extras: { visible_group_names: [...rec.groups.keys()] },
    });
  });

  app.post("/admin/groups.json", (req, res) => {
    const name = String(req.body?.group?.name ?? "");
    if (!/^[A-Za-z0-9_.-]{1,60}$/.test(name)) return void res.status(422).json({ errors: ["Name is invalid"] });
    if (rec.groups.has(name.toLowerCase()))
      return void res.status(422).json({ errors: ["Name has already been taken"] });
    ctx.log(req, res);
    const g = { id: 100 + rec.groups.size, name, members: new Set<number>(), addedAt: new Map<number, string>() };
    rec.groups.set(name.toLowerCase(), g);
    res.json({ basic_group: groupJson(g) });
  });

  app.get("/groups/:id/members.json", (req, res) => {
    const g = findGroup(String(req.params.id));
    if (!g) return void res.status(404).json(ERR_404);
    const limit = Math.min(Number(req.query.limit ?? 50), 1000);
    const offset = Number(req.query.offset ?? 0);
    const member = (id: number) => {
      const u = ctx.users.get(id)!;
      return {
        id: u.id,
        username: u.username,
        name: u.name,
        avatar_template: ctx.avatar(u),
        title: u.title,
        last_posted_at: u.createdAt,
        last_seen_at: u.createdAt,
        added_at: g.addedAt.get(id) ?? u.createdAt,
        timezone: "UTC",
      };
    };
    const all = [...g.members].sort((a, b) => a - b);
    res.json({
      members: all.slice(offset, offset + limit).map(member),
      owners: [],
      meta: { total: all.length, limit, offset },
    });
  });

  app.put("/groups/:id/members.json", (req, res) => {
    const g = findGroup(String(req.params.id));
    if (!g) return void res.status(404).json(ERR_404);
    const users = names(req.body?.usernames).map((n) => ctx.byName.get(n.toLowerCase()));
    if (!users.length || users.some((u) => !u))
      return void res.status(400).json({ errors: ["usernames is invalid"], error_type: "invalid_parameters" });
    if (users.every((u) => g.members.has(u!.id)))
      return void res.status(422).json({ errors: ["The users are already members of this group"] });
    ctx.log(req, res);
    for (const u of users) {
      g.members.add(u!.id);
      g.addedAt.set(u!.id, ctx.clock());
    }
    res.json({ success: "OK", usernames: users.map((u) => u!.username), emails: [] });
  });

  app.delete("/groups/:id/members.json", (req, res) => {
    const g = findGroup(String(req.params.id));
    if (!g) return void res.status(404).json(ERR_404);
    ctx.log(req, res);
    const removed: string[] = [];
    const skipped: string[] = [];
    for (const n of names(req.body?.usernames)) {
      const u = ctx.byName.get(n.toLowerCase());
      if (u && g.members.delete(u.id)) removed.push(u.username);
      else skipped.push(n);
    }
    res.json({ success: "OK", usernames: removed, skipped_usernames: skipped });
  });

  return rec;
}
