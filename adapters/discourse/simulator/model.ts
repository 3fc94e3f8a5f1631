/** What a simulated community is made of: members, categories, topics, posts, likes, accepted answers. */

export interface SimUser {
  id: number;
  username: string;
  name: string | null;
  title: string | null;
  createdAt: string;
  trustLevel: number;
  admin: boolean;
  moderator: boolean;
  staged: boolean;
  suspendedTill: string | null;
  silencedTill: string | null;
  hideProfile: boolean;
  groups: string[];
  /** User#locale: the language the member chose (null: the site's). */
  locale?: string | null;
  /** What the generator made this account to be (for tests and docs; never served). */
  role:
    | "member"
    | "expert"
    | "welcomer"
    | "staff"
    | "bot"
    | "ring"
    | "loud"
    | "fan"
    | "suspended"
    | "hidden"
    | "newcomer"
    | "private_helper"
    | "restricted_helper"
    | "puppet_master"
    | "sockpuppet";
}

/** A member with the defaults of an ordinary account: no name or title, not staff, not restricted. */
export function simUser(
  u: Partial<SimUser> & Pick<SimUser, "id" | "username" | "role" | "createdAt" | "trustLevel">,
): SimUser {
  return {
    name: null,
    title: null,
    admin: false,
    moderator: false,
    staged: false,
    suspendedTill: null,
    silencedTill: null,
    hideProfile: false,
    groups: [],
    ...u,
  };
}

/** A category; read-restricted ones are seen by their groups only. */
export interface SimCategory {
  id: number;
  slug: string;
  name: string;
  readRestricted: boolean;
}

export interface SimTopic {
  id: number;
  userId: number;
  title: string;
  slug: string;
  /** 0 for a private message (no category). */
  categoryId: number;
  createdAt: string;
  postIds: number[];
  /** A private message between `allowed` members (default: a regular topic). */
  archetype?: "regular" | "private_message";
  /** Members of a private message. */
  allowed?: number[];
  /** False: unlisted (by a moderator, or because its first post was hidden after flags). */
  visible?: boolean;
}

export interface SimPost {
  id: number;
  topicId: number;
  postNumber: number;
  userId: number;
  createdAt: string;
  replyToPostNumber: number | null;
  hidden: boolean;
  raw: string;
  /** Post.types: 1 regular (default), 4 whisper. */
  postType?: number;
}

export interface SimLike {
  postId: number;
  userId: number;
  createdAt: string;
}

export interface SimSolution {
  topicId: number;
  postId: number;
  acceptedBy: number;
  acceptedAt: string;
}

export interface Community {
  now: string;
  categories: SimCategory[];
  users: SimUser[];
  topics: SimTopic[];
  posts: SimPost[];
  likes: SimLike[];
  solutions: SimSolution[];
}

export interface CommunityOptions {
  seed?: number;
  members?: number;
  posts?: number;
  months?: number;
  /** The end of the timeline: the forum's "now" (an input, never the machine's date). */
  now: Date;
  /**
   * Add what the public cannot see (private messages, a restricted category, unlisted topics,
   * hidden first posts, whispers); default true.
   */
  hiddenPlaces?: boolean;
}
