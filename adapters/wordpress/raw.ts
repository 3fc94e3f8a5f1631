/**
 * WordPress REST API (wp/v2) raw JSON, limited to the fields we read, as documented at
 * https://developer.wordpress.org/rest-api/reference/ (checked against WordPress 6.1).
 */

/** GET /wp/v2/comments?context=edit */
export interface WpComment {
  id: number;
  /** The post the comment is on. */
  post: number;
  /** Parent comment id, 0 for a top-level comment. */
  parent: number;
  /** User id, 0 for a guest. */
  author: number;
  author_name: string;
  /** Only with context=edit (needs moderate_comments). Never stored. */
  author_email?: string;
  /** Site-local time, no zone. */
  date: string;
  /** UTC, no zone: "2026-10-09T11:00:00". */
  date_gmt: string;
  /** In responses: approved | hold | spam | trash (queries use approve). */
  status: string;
  /** comment | pingback | trackback. */
  type: string;
  link: string;
  /** The comment as the site shows it (HTML). */
  content?: { rendered: string; raw?: string };
}

/** GET /wp/v2/users?context=edit (needs list_users). */
export interface WpUser {
  id: number;
  /** Login, context=edit only. */
  username?: string;
  name: string;
  slug: string;
  link: string;
  email?: string;
  roles?: string[];
  registered_date?: string;
  /** The user's language, e.g. "pt_BR" (context=edit; "" for the site's). */
  locale?: string;
  avatar_urls?: Record<string, string>;
  capabilities?: Record<string, boolean>;
  /**
   * Registered meta (register_meta with show_in_rest); the Community Spotlight plugin's
   * `community_spotlight_opt_out` is the member's "Don't feature me".
   */
  meta?: Record<string, unknown>;
}

/** GET /wp/v2/posts?context=edit */
export interface WpPost {
  id: number;
  author: number;
  date_gmt: string;
  status: string;
  link: string;
  title: { raw?: string; rendered?: string };
  content?: { raw?: string };
  categories?: number[];
  /** context=edit: the post's password; a protected post is not public (its comments neither). */
  password?: string;
}

/** GET /wp/v2/blocks/{id}?context=edit: a synced pattern (reusable block, post type wp_block). */
export interface WpBlock {
  id: number;
  title: { raw?: string };
  content: { raw?: string };
  status: string;
}

/** Error bodies: {code, message, data: {status}}. */
export interface WpError {
  code?: string;
  message?: string;
  data?: { status?: number };
}
