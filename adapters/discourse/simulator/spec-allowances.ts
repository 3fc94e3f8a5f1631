/**
 * Where the simulator deliberately departs from the official OpenAPI spec, and why. The spec
 * (discourse_api_docs) is stricter than real Discourse in places; where real responses (the
 * fixtures in test/fixtures/discourse/, from Discourse's own repositories) differ, the real shape
 * wins. This list is the only place such allowances live: the spec test applies exactly these.
 */

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI schema tree, edited in place along paths the spec fixes.
type Schema = Record<string, any>;

export interface SpecAllowance {
  /** "GET /user_actions.json" as the spec names the path. */
  operation: string;
  /** What the spec says, what real Discourse does, and the evidence. */
  reason: string;
  /** Loosen the 200 response schema in place. */
  apply(schema: Schema): void;
}

export const SPEC_ALLOWANCES: SpecAllowance[] = [
  {
    operation: "GET /user_actions.json",
    reason:
      "The spec forbids reply_to_post_number (additionalProperties: false) and types post_id, hidden and post_type as string|null. " +
      "Real streams carry reply_to_post_number and send post_id and post_type as integers and hidden as a boolean " +
      "(UserAction.stream; fixtures user-actions-*.json from discourse/discourse and discourse_api).",
    apply(schema) {
      const item = schema.properties.user_actions.items;
      item.properties.reply_to_post_number = { type: ["integer", "null"] };
      item.properties.post_id = { type: ["integer", "null"] };
      item.properties.hidden = { type: ["boolean", "null"] };
      item.properties.post_type = { type: ["integer", "null"] };
    },
  },
  {
    operation: "GET /directory_items.json",
    reason:
      "discourse-solved (bundled with core) adds a `solutions` column to every directory item (add_directory_column); " +
      "the spec's additionalProperties: false forbids plugin columns.",
    apply(schema) {
      schema.properties.directory_items.items.properties.solutions = { type: "integer" };
    },
  },
  {
    operation: "GET /u/{username}.json",
    reason:
      "UserSerializer adds suspended_till/suspend_reason and silenced_till for staff viewers while a user is suspended or silenced; " +
      "the spec's additionalProperties: false forbids them. They are how an admin client learns a member is restricted. " +
      "The spec also types user.name as a string, but a member without a name has name: null (fixture user-get-response.json, " +
      "from discourse_api_docs itself; the spec's own directory and group schemas allow null).",
    apply(schema) {
      const user = schema.properties.user;
      user.properties.name = { type: ["string", "null"] };
      user.properties.suspended_till = { type: ["string", "null"] };
      user.properties.suspend_reason = { type: ["string", "null"] };
      user.properties.silenced_till = { type: ["string", "null"] };
    },
  },
  {
    operation: "GET /admin/users/list/{flag}.json",
    reason:
      "The spec requires at least one item, but a page past the last user is an empty array (AdminUserIndexQuery#find_users), " +
      "which is how a client knows it has read them all.",
    apply(schema) {
      delete schema.minItems;
    },
  },
  ...["GET /t/{id}.json", "GET /t/{id}/posts.json"].map(
    (operation): SpecAllowance => ({
      operation,
      reason:
        "The spec types a post's reply_to_post_number as string|null and its name and display_username as strings. Real topics send " +
        "reply_to_post_number as an integer (fixture topic.json, from discourse_api: post 4 has reply_to_post_number 1), and a member " +
        "without a name has name: null (PostSerializer takes user.name; the same allowance as for /u/{username}.json).",
      apply(schema) {
        const post = schema.properties?.post_stream?.properties?.posts?.items;
        if (!post?.properties) return;
        post.properties.reply_to_post_number = { type: ["integer", "null"] };
        post.properties.name = { type: ["string", "null"] };
        post.properties.display_username = { type: ["string", "null"] };
      },
    }),
  ),
];
