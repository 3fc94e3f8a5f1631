/** The simulator's JSON: users, admin list rows, groups and stream items as Discourse serializes them. */
import type { SimUser } from "./community.js";
import { type ActionRow, avatar, type Forum } from "./forum.js";
import { basicGroupJson } from "./recognition.js";

export type Serializers = ReturnType<typeof serializers>;

export function serializers(f: Forum) {
  const { community, users, topics, now, stats } = f;
  const basicUser = (u: SimUser) => ({
    id: u.id,
    username: u.username,
    name: u.name,
    avatar_template: avatar(u),
    title: u.title,
  });

  const actionJson = (r: ActionRow) => {
    const topic = topics.get(r.post.topicId)!;
    const owner = users.get(r.owner)!;
    const author = users.get(r.post.userId)!;
    const acting = users.get(r.acting)!;
    return {
      excerpt: r.post.raw.slice(0, 300),
      action_type: r.type,
      created_at: r.at,
      avatar_template: avatar(author),
      acting_avatar_template: avatar(acting),
      slug: topic.slug,
      topic_id: topic.id,
      target_user_id: owner.id,
      target_name: owner.name,
      target_username: owner.username,
      post_number: r.post.postNumber,
      post_id: r.post.id,
      reply_to_post_number: r.post.replyToPostNumber,
      username: author.username,
      name: author.name,
      user_id: author.id,
      acting_username: acting.username,
      acting_name: acting.name,
      acting_user_id: acting.id,
      title: topic.title,
      deleted: false,
      // Topic rows carry no post (target_post_id -1): hidden is null there.
      hidden: r.type === 4 ? null : r.post.hidden,
      post_type: r.type === 4 ? null : (r.post.postType ?? 1),
      action_code: null,
      category_id: topic.archetype === "private_message" ? null : topic.categoryId,
      closed: false,
      archived: false,
    };
  };

  const adminUserJson = (u: SimUser) => {
    const s = stats(u);
    return {
      id: u.id,
      username: u.username,
      name: u.name,
      avatar_template: avatar(u),
      active: true,
      admin: u.admin,
      moderator: u.moderator,
      last_seen_at: s.lastSeen,
      last_emailed_at: null,
      created_at: u.createdAt,
      last_seen_age: Math.round((now - Date.parse(s.lastSeen)) / 1000),
      last_emailed_age: null,
      created_at_age: Math.round((now - Date.parse(u.createdAt)) / 1000),
      trust_level: u.trustLevel,
      manual_locked_trust_level: null,
      title: u.title,
      time_read: s.timeRead,
      staged: u.staged,
      days_visited: s.daysVisited,
      posts_read_count: s.postCount * 10,
      topics_entered: s.postCount * 3,
      post_count: s.postCount,
      // AdminUserListSerializer sends these only while the member is suspended or silenced.
      ...(u.suspendedTill && Date.parse(u.suspendedTill) > now
        ? { suspended_at: u.createdAt, suspended_till: u.suspendedTill }
        : {}),
      ...(u.silencedTill && Date.parse(u.silencedTill) > now ? { silenced: true, silenced_till: u.silencedTill } : {}),
    };
  };

  const groupJson = (name: string, id: number) => {
    const automatic = /^trust_level_\d$/.test(name) || name === "staff" || name === "admins" || name === "moderators";
    return {
      ...basicGroupJson({
        id,
        name,
        automatic,
        userCount: community.users.filter((x) => x.groups.includes(name)).length,
        flairUrl: null,
      }),
      display_name: name,
    };
  };

  const userJson = (u: SimUser) => {
    const s = stats(u);
    const extra: Record<string, unknown> = {};
    if (u.suspendedTill) Object.assign(extra, { suspended_till: u.suspendedTill, suspend_reason: "Spam" });
    if (u.silencedTill) Object.assign(extra, { silenced_till: u.silencedTill });
    return {
      user_badges: [],
      user: {
        id: u.id,
        username: u.username,
        name: u.name,
        avatar_template: avatar(u),
        last_posted_at: community.now,
        last_seen_at: community.now,
        created_at: u.createdAt,
        ignored: false,
        muted: false,
        can_ignore_user: false,
        can_mute_user: false,
        can_send_private_messages: true,
        can_send_private_message_to_user: true,
        trust_level: u.trustLevel,
        moderator: u.moderator,
        admin: u.admin,
        title: u.title,
        badge_count: 0,
        custom_fields: {},
        time_read: s.timeRead,
        recent_time_read: 0,
        primary_group_id: null,
        primary_group_name: null,
        flair_group_id: null,
        flair_name: null,
        flair_url: null,
        flair_bg_color: null,
        flair_color: null,
        featured_topic: null,
        staged: u.staged,
        can_edit: true,
        can_edit_username: true,
        can_edit_email: true,
        can_edit_name: true,
        uploaded_avatar_id: null,
        has_title_badges: false,
        pending_count: 0,
        profile_view_count: 0,
        second_factor_enabled: false,
        can_upload_profile_header: true,
        can_upload_user_card_background: true,
        post_count: s.postCount,
        can_be_deleted: false,
        can_delete_all_posts: false,
        locale: u.locale ?? null,
        muted_category_ids: [],
        regular_category_ids: [],
        watched_tags: [],
        watching_first_post_tags: [],
        tracked_tags: [],
        muted_tags: [],
        tracked_category_ids: [],
        watched_category_ids: [],
        watched_first_post_category_ids: [],
        system_avatar_upload_id: null,
        system_avatar_template: avatar(u),
        muted_usernames: [],
        ignored_usernames: [],
        allowed_pm_usernames: [],
        mailing_list_posts_per_day: 0,
        can_change_bio: true,
        can_change_location: true,
        can_change_website: true,
        can_change_tracking_preferences: true,
        user_api_keys: null,
        user_auth_tokens: [],
        user_notification_schedule: {
          enabled: false,
          ...Object.fromEntries(
            Array.from({ length: 7 }, (_, d) => [
              [`day_${d}_start_time`, 480],
              [`day_${d}_end_time`, 1020],
            ]).flat(),
          ),
        },
        use_logo_small_as_avatar: false,
        featured_user_badge_ids: [],
        invited_by: null,
        groups: u.groups.map((name, i) => groupJson(name, i + 1)),
        group_users: [],
        user_option: {
          user_id: u.id,
          mailing_list_mode: false,
          mailing_list_mode_frequency: 1,
          email_digests: true,
          email_level: 1,
          email_messages_level: 0,
          external_links_in_new_tab: false,
          color_scheme_id: null,
          dark_scheme_id: null,
          dynamic_favicon: false,
          enable_quoting: true,
          enable_smart_lists: true,
          enable_defer: false,
          digest_after_minutes: 10080,
          automatically_unpin_topics: true,
          auto_track_topics_after_msecs: 240000,
          notification_level_when_replying: 2,
          new_topic_duration_minutes: 2880,
          email_previous_replies: 2,
          email_in_reply_to: false,
          like_notification_frequency: 1,
          include_tl0_in_digests: false,
          theme_ids: [],
          theme_key_seq: 0,
          allow_private_messages: true,
          enable_allowed_pm_users: false,
          homepage_id: null,
          hide_profile_and_presence: u.hideProfile,
          hide_profile: u.hideProfile,
          hide_presence: false,
          text_size: "normal",
          text_size_seq: 0,
          title_count_mode: "notifications",
          timezone: "UTC",
          skip_new_user_tips: false,
          topics_unread_when_closed: true,
        },
        ...extra,
      },
    };
  };

  return { basicUser, actionJson, adminUserJson, userJson };
}
