/** Pure mappers from WordPress's raw JSON into the domain. */
import { createHmac } from "node:crypto";
import type { Member } from "../../src/domain.js";
import type { WpComment, WpUser } from "./raw.js";

/** WordPress gives UTC without a zone ("2026-10-09T11:00:00"). */
export function utc(dateGmt: string): string {
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(dateGmt) ? dateGmt : `${dateGmt}Z`).toISOString();
}

/**
 * Who wrote a comment: the user id, or for a guest a keyed hash of their e-mail address (so the
 * same guest is one member across comments, and the address itself is never stored).
 */
export function authorKey(c: Pick<WpComment, "author" | "author_email" | "author_name">, identityKey: string): string {
  if (c.author > 0) return String(c.author);
  const basis = (c.author_email || c.author_name || "").trim().toLowerCase();
  return `guest:${createHmac("sha256", identityKey).update(basis).digest("hex").slice(0, 24)}`;
}

export function toMember(u: WpUser, staffRoles: readonly string[], now: Date): Member {
  const roles = u.roles ?? [];
  const avatar = u.avatar_urls ? (u.avatar_urls["96"] ?? Object.values(u.avatar_urls).pop() ?? null) : null;
  return {
    id: String(u.id),
    username: u.username ?? u.slug,
    name: u.name || null,
    avatarUrl: avatar,
    profileUrl: u.link || null,
    standing: "unknown",
    createdAt: u.registered_date ?? null,
    staff: roles.some((r) => staffRoles.includes(r)),
    bot: false,
    // A user without a role on this site cannot take part any more.
    restricted: roles.length === 0,
    // "Don't feature me" in their profile (the site's Community Spotlight plugin): an opt-out.
    hiddenProfile: u.meta?.community_spotlight_opt_out === true,
    staged: false,
    groups: roles,
    // The user's own language (context=edit); "" is the site's.
    locale: u.locale || null,
    fetchedAt: now.toISOString(),
  };
}

export function guestMember(key: string, name: string, now: Date): Member {
  return {
    id: key,
    username: name || "guest",
    name: name || null,
    avatarUrl: null,
    profileUrl: null,
    standing: "unknown",
    createdAt: null,
    staff: false,
    bot: false,
    restricted: false,
    hiddenProfile: false,
    staged: false,
    groups: ["guest"],
    fetchedAt: now.toISOString(),
  };
}
