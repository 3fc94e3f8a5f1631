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
  /** Lifetime posts (topics + replies); 0 means there is nothing to read. */
  post_count?: number;
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
  hidden?: boolean | null;
}
