/**
 * Reading a period from a wiki. What counts as help (issue: "helpful on a wiki"):
 *
 * - a new page in a content namespace: `topic`;
 * - an edit that stuck (nobody restored the page as it was before it within `revertDays`):
 *   `reply`, the person helped being the page's previous editor when someone else;
 * - reverting someone else's edit (the page restored to an earlier revision's content, told by
 *   the revisions' SHA-1, as MediaWiki's own identity reverts are: RevertedTagUpdate): `solution`,
 *   the person helped being the author of the content restored;
 * - on a talk page, an edit after someone else's: `reply` to them;
 * - the first edit of a newcomer's user talk page by someone else, within
 *   `scoring.newcomer.accountAgeDays` of their registration: `newcomer_reply`;
 * - a thanks from the Thanks extension's log, when the wiki has it: `like_received` from the thanker.
 *
 * Requests: list=allrevisions over the period and `revertDays` after it (500 a page, 5000 with
 * apihighlimits), the parents of the period's first revisions of each page (50 a request), the
 * thanks log (500 a page), and list=users for the members (50 a request): a month costs about
 * ⌈revisions / 500⌉ + ⌈members / 50⌉ + a few.
 */
import type { Activity, Member, Standing } from "../../src/domain.js";
import { periodBounds } from "../../src/period.js";
import type { ReadRequest, ReadResult } from "../types.js";
import type { MediaWikiContext } from "./context.js";
import type { PageRevisions, Revision, SiteInfo, WikiUser } from "./raw.js";

const DAY = 86_400_000;

export interface MediaWikiCursor {
  version: 1;
  /** The period was read to its end and `revertDays` after it: nothing more can change. */
  complete: boolean;
}

export function pageUrl(info: SiteInfo["general"], title: string, revid?: number): string {
  const path = info.articlepath.replace(
    "$1",
    encodeURIComponent(title.replace(/ /g, "_")).replace(/%2F/g, "/").replace(/%3A/g, ":"),
  );
  const u = new URL(path, info.server.startsWith("//") ? `https:${info.server}` : info.server);
  if (revid) u.searchParams.set("oldid", String(revid));
  return u.toString();
}

/** The wiki's namespaces, extensions and addresses: asked once per adapter (a request). */
export function siteInfo(d: MediaWikiContext): Promise<SiteInfo> {
  d.siteInfo ??= d.client
    .api<{ query: SiteInfo }>({ action: "query", meta: "siteinfo", siprop: "general|namespaces|extensions" })
    .then(
      (r) => r.query,
      (err) => {
        d.siteInfo = undefined;
        throw err;
      },
    );
  return d.siteInfo;
}

/** A wiki's rights mapped onto the standing ladder: staff groups, then edits made. */
export function standingOf(u: WikiUser, staffGroups: readonly string[], now: Date): Standing {
  const groups = u.groups ?? [];
  if (groups.some((g) => staffGroups.includes(g))) return "staff";
  const edits = u.editcount ?? 0;
  const days = u.registration ? (now.getTime() - Date.parse(u.registration)) / DAY : 0;
  if (!groups.includes("autoconfirmed") || days < 4) return "new";
  if (groups.some((g) => ["rollbacker", "patroller", "autopatrolled", "autoreviewer"].includes(g))) return "leader";
  if (edits >= 1000) return "regular";
  if (edits >= 100) return "member";
  return "basic";
}

export function toMember(d: MediaWikiContext, info: SiteInfo["general"], u: WikiUser, now: Date): Member {
  const groups = u.groups ?? [];
  const { staffGroups, botGroups } = d.site;
  return {
    id: String(u.userid),
    username: u.name,
    name: null,
    avatarUrl: null,
    profileUrl: pageUrl(info, `User:${u.name}`),
    standing: standingOf(u, staffGroups, now),
    createdAt: u.registration ?? null,
    staff: groups.some((g) => staffGroups.includes(g)),
    bot: groups.some((g) => botGroups.includes(g)),
    restricted: u.blockid !== undefined,
    hiddenProfile: false,
    staged: false,
    groups: groups.filter((g) => g !== "*"),
    fetchedAt: now.toISOString(),
  };
}

export async function users(d: MediaWikiContext, names: readonly string[]): Promise<WikiUser[]> {
  const out: WikiUser[] = [];
  for (let i = 0; i < names.length; i += 50) {
    const r = await d.client.api<{ query: { users: WikiUser[] } }>({
      action: "query",
      list: "users",
      ususers: names.slice(i, i + 50).join("|"),
      usprop: "groups|blockinfo|editcount|registration|emailable",
    });
    for (const u of r.query.users) if (!u.missing && u.userid) out.push(u);
  }
  return out;
}

export async function readPeriod(d: MediaWikiContext, req: ReadRequest): Promise<ReadResult> {
  const before = d.client.http.requests;
  const now = d.now();
  const { start, end, contains } = periodBounds(req.period);
  const through = Math.min(now.getTime(), end + d.site.revertDays * DAY);
  const cursor = req.cursor as MediaWikiCursor | null;
  if (cursor?.version === 1 && cursor.complete) return { activities: [], members: [], cursor, requests: 0 };
  const info = await siteInfo(d);
  const content = new Set(
    Object.values(info.namespaces)
      .filter((n) => n.content)
      .map((n) => n.id),
  );
  // Every revision from the period's start until revertDays after its end, page by page.
  const byPage = new Map<number, PageRevisions>();
  for await (const r of d.client.pages<{ query: { allrevisions: PageRevisions[] } }>({
    action: "query",
    list: "allrevisions",
    arvprop: "ids|timestamp|user|userid|sha1",
    arvlimit: "max",
    arvdir: "newer",
    arvstart: new Date(start).toISOString(),
    arvend: new Date(through).toISOString(),
  }))
    for (const p of r.query.allrevisions) {
      const known = byPage.get(p.pageid);
      if (known) known.revisions.push(...p.revisions);
      else byPage.set(p.pageid, { ...p, revisions: [...p.revisions] });
    }
  // Each page's revision before the window: what an edit in the period may have been reverted to.
  const parents = new Map<number, Revision>();
  const wanted = [...byPage.values()].map((p) => p.revisions[0]!.parentid).filter((id) => id > 0);
  for (let i = 0; i < wanted.length; i += 50) {
    const r = await d.client.api<{ query: { pages?: Array<{ revisions?: Revision[] }> } }>({
      action: "query",
      prop: "revisions",
      revids: wanted.slice(i, i + 50).join("|"),
      rvprop: "ids|timestamp|user|userid|sha1",
    });
    for (const p of r.query.pages ?? []) for (const rev of p.revisions ?? []) parents.set(rev.revid, rev);
  }
  const activities: Activity[] = [];
  const credited = new Set<string>();
  const talkOwners = new Map<string, Array<{ rev: Revision; page: PageRevisions }>>();
  const url = (p: PageRevisions, rev: Revision) => pageUrl(info.general, p.title, rev.revid);
  for (const page of byPage.values()) {
    const revs = page.revisions.sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.revid - b.revid);
    const parent = parents.get(revs[0]!.parentid);
    const history = parent ? [parent, ...revs] : revs;
    const isTalk = page.ns % 2 === 1;
    for (let i = parent ? 1 : 0; i < history.length; i++) {
      const rev = history[i]!;
      const at = Date.parse(rev.timestamp);
      if (!contains(rev.timestamp) || !rev.userid || rev.userhidden || rev.suppressed) continue;
      const prev = i > 0 ? history[i - 1]! : null;
      const base = {
        memberId: String(rev.userid),
        at: new Date(at).toISOString(),
        topicId: String(page.pageid),
        url: url(page, rev),
        title: page.title,
        // A revision whose text was hidden (revision deletion) is never cited; whether the page
        // itself is readable by someone not logged in is asked before citing (confirmPublic).
        public: !rev.sha1hidden,
      };
      // Reverted within revertDays: a later revision restores the content from before it.
      const reverted =
        !!prev?.sha1 &&
        history
          .slice(i + 1)
          .some((later) => Date.parse(later.timestamp) - at <= d.site.revertDays * DAY && later.sha1 === prev.sha1);
      if (reverted) continue;
      // A revert: restores an earlier revision's content, undoing someone else's edits.
      const restored = rev.sha1
        ? history
            .slice(0, Math.max(0, i - 1))
            .reverse()
            .find((earlier) => earlier.sha1 === rev.sha1)
        : undefined;
      if (restored) {
        const undone = history.slice(history.indexOf(restored) + 1, i);
        if (undone.some((u) => u.userid !== rev.userid)) {
          activities.push({
            ...base,
            id: `revert:${rev.revid}`,
            signal: "solution",
            otherId: restored.userid && restored.userid !== rev.userid ? String(restored.userid) : null,
          });
          credited.add(rev.user!);
        }
        continue;
      }
      if (page.ns === 3) {
        const owner = page.title.slice(page.title.indexOf(":") + 1);
        if (owner !== rev.user) {
          const list = talkOwners.get(owner) ?? [];
          list.push({ rev, page });
          talkOwners.set(owner, list);
          credited.add(rev.user!);
        }
      }
      const other = prev?.userid && prev.userid !== rev.userid ? String(prev.userid) : null;
      if (other) credited.add(prev!.user!);
      if (rev.parentid === 0 && content.has(page.ns)) {
        activities.push({ ...base, id: `page:${rev.revid}`, signal: "topic", otherId: null });
        credited.add(rev.user!);
      } else if ((content.has(page.ns) || isTalk) && other) {
        activities.push({ ...base, id: `edit:${rev.revid}`, signal: "reply", otherId: other });
        credited.add(rev.user!);
      }
    }
  }
  // Thanks, where the wiki has the extension: each one a like from the thanker.
  if (info.extensions.some((e) => e.name === "Thanks")) {
    for await (const r of d.client.pages<{
      query: { logevents: Array<{ logid: number; user?: string; userid?: number; title: string; timestamp: string }> };
    }>({
      action: "query",
      list: "logevents",
      letype: "thanks",
      leprop: "ids|title|user|userid|timestamp",
      lelimit: "max",
      ledir: "newer",
      lestart: new Date(start).toISOString(),
      leend: new Date(end - 1000).toISOString(),
    }))
      for (const e of r.query.logevents) {
        if (!e.userid || !contains(e.timestamp)) continue;
        const thanked = e.title.slice(e.title.indexOf(":") + 1);
        activities.push({
          id: `thanks:${e.logid}`,
          memberId: `name:${thanked}`,
          signal: "like_received",
          at: new Date(Date.parse(e.timestamp)).toISOString(),
          otherId: String(e.userid),
          public: false,
        });
        credited.add(thanked);
        if (e.user) credited.add(e.user);
      }
  }
  const names = [...new Set([...credited, ...talkOwners.keys()])];
  const profiles = await users(d, names);
  const byName = new Map(profiles.map((u) => [u.name, u]));
  // Thanks name the thanked member by their user page: their id, now that it is known.
  for (const a of activities)
    if (a.memberId.startsWith("name:")) {
      const u = byName.get(a.memberId.slice(5));
      a.memberId = u ? String(u.userid) : "";
    }
  // The first welcome by a member (a welcome bot's does not stop the first person's from counting)
  // on a newcomer's user talk page: a newcomer_reply, instead of a reply to whoever wrote before.
  const ageMs = d.options.scoring.newcomer.accountAgeDays * DAY;
  const isBot = (name: string | undefined) =>
    (byName.get(name ?? "")?.groups ?? []).some((g) => d.site.botGroups.includes(g));
  for (const [owner, edits] of talkOwners) {
    const u = byName.get(owner);
    if (!u?.registration) continue;
    const first = edits
      .filter((e) => !isBot(e.rev.user))
      .sort((a, b) => a.rev.timestamp.localeCompare(b.rev.timestamp))[0];
    if (!first) continue;
    const at = Date.parse(first.rev.timestamp);
    if (at - Date.parse(u.registration) > ageMs) continue;
    const asReply = activities.findIndex((a) => a.id === `edit:${first.rev.revid}`);
    if (asReply >= 0) activities.splice(asReply, 1);
    activities.push({
      id: `welcome:${first.rev.revid}`,
      memberId: String(first.rev.userid),
      signal: "newcomer_reply",
      at: new Date(at).toISOString(),
      otherId: String(u.userid),
      topicId: String(first.page.pageid),
      url: url(first.page, first.rev),
      title: first.page.title,
      public: true,
    });
  }
  const members = profiles.map((u) => toMember(d, info.general, u, now));
  return {
    activities: activities.filter((a) => a.memberId),
    members,
    cursor: { version: 1, complete: through >= end + d.site.revertDays * DAY } satisfies MediaWikiCursor,
    requests: d.client.http.requests - before,
  };
}
