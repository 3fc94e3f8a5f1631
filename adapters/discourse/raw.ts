/**
 * Discourse's raw JSON, limited to the fields we read. Each is documented against the API docs
 * (https://docs.discourse.org, test/fixtures/discourse/openapi.json) and core's serializers.
 * We read only these and ignore the rest.
 */

/** An item of GET /directory_items.json (DirectoryItemSerializer). */
export interface DiscourseDirectoryItem {
  /** The user's id. */
  id: number;
  likes_received?: number;
  post_count?: number;
  /** Plugin column (discourse-solved): answers accepted in the window. */
  solutions?: number;
  user: { id: number; username: string };
}

/** GET /directory_items.json */
export interface DiscourseDirectoryResponse {
  directory_items: DiscourseDirectoryItem[];
  meta?: { total_rows_directory_items?: number; load_more_directory_items?: string };
}

/** An item of GET /admin/users/list/{flag}.json (AdminUserListSerializer). */
export interface DiscourseAdminUser {
  id: number;
  username: string;
  created_at: string;
  trust_level: number;
  admin: boolean;
  moderator: boolean;
  /**
   * UserStat#post_count: replies only, not the first posts of topics, so 0 does not mean the
   * member did nothing (a newcomer who opened a topic and never replied has 0).
   */
  post_count?: number;
  /** Topics the member opened to read; days they visited; seconds they spent reading. */
  topics_entered?: number;
  days_visited?: number;
  time_read?: number;
  name?: string | null;
  avatar_template?: string;
  staged?: boolean;
  last_seen_at?: string | null;
}

/** GET /u/{username}.json → user (UserSerializer, as seen by an admin). */
export interface DiscourseUser {
  /** id <= 0: system and bot accounts (system = -1, discobot = -2). */
  id: number;
  username: string;
  name: string | null;
  /** Path template with {size}, relative to the site unless absolute. */
  avatar_template: string;
  created_at: string;
  /** 0..4 */
  trust_level: number;
  admin: boolean;
  moderator: boolean;
  /** Created by incoming e-mail or an invite, never logged in. */
  staged?: boolean;
  /** Present (to staff) while the user is suspended. */
  suspended_till?: string | null;
  /** Present (to staff) while the user is silenced. */
  silenced_till?: string | null;
  groups?: Array<{ name: string }>;
  /** Present for the user themself and for staff: the member's own preferences. */
  user_option?: { hide_profile?: boolean; hide_profile_and_presence?: boolean };
  /** User#locale (UserSerializer, staff and self): empty when the member uses the site's. */
  locale?: string | null;
  /**
   * UserStat#post_count: their replies, less those deleted or hidden after flags (Post#hide!
   * decrements it through UserStatCountUpdater, unhiding adds it back).
   */
  post_count?: number;
}

/** UserAction.types (core app/models/user_action.rb). */
export const ACTION = {
  LIKE: 1,
  WAS_LIKED: 2,
  NEW_TOPIC: 4,
  REPLY: 5,
  RESPONSE: 6,
  SOLVED: 15,
} as const;

/**
 * An item of GET /user_actions.json (UserAction.stream). For the stream owner `target_*`;
 * `user_*`/`username` is the post's author; `acting_*` the one who acted (the liker for WAS_LIKED,
 * the replier for RESPONSE, the accepter for SOLVED). `created_at` is when the action happened.
 */
export interface DiscourseUserAction {
  action_type: number;
  created_at: string;
  topic_id: number;
  post_number: number;
  slug: string;
  title: string;
  target_user_id: number;
  user_id: number;
  acting_user_id: number;
  acting_username: string;
  reply_to_post_number?: number | null;
  deleted?: boolean;
  /** The post was hidden after flags. Null on topic rows (NEW_TOPIC carries no post). */
  hidden?: boolean | null;
  /** Post.types: 1 regular, 2 moderator action, 3 small action, 4 whisper (staff-only). */
  post_type?: number | null;
  /**
   * The topic's category; null for a private message (PMs have no category: UserAction.stream
   * selects t.category_id, and an admin who passes a filter gets PM rows too).
   */
  category_id?: number | null;
}

/** Post.types (core app/models/post.rb). */
export const POST_TYPE = { REGULAR: 1, MODERATOR_ACTION: 2, SMALL_ACTION: 3, WHISPER: 4 } as const;

/** A category of GET /categories.json (CategoryList; `include_subcategories=true` nests the children). */
export interface DiscourseCategory {
  id: number;
  /** Only some groups may read it (CategorySerializer; Category#read_restricted). */
  read_restricted: boolean;
  subcategory_list?: DiscourseCategory[];
}

/** What GET /t/{id}.json tells about a topic's visibility (TopicViewSerializer). */
export interface DiscourseTopicView {
  id: number;
  archetype: string;
  /** False: unlisted (a moderator unlisted it, or its first post was hidden after flags). */
  visible: boolean;
  category_id: number | null;
  deleted_at: string | null;
  post_stream: { posts: DiscourseTopicPost[]; stream?: number[] };
}

export interface DiscourseTopicPost {
  id: number;
  post_number: number;
  post_type: number;
  hidden: boolean;
  deleted_at: string | null;
  /** PostSerializer: the author, the post it answers, and its HTML. */
  username?: string;
  user_id?: number;
  name?: string | null;
  reply_to_post_number?: number | null;
  cooked?: string;
}
