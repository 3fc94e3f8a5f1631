/**
 * Reading a period through the forum's Data Explorer: our saved query (period.sql) returns the
 * period's candidates, what they did, who they are, and the newcomers' first replies, in one run
 * (a few requests a month at any size, against hundreds through the API). Its rows become the same
 * activities, members, sole contacts and waiting newcomers the API read (adapters/discourse/read/)
 * gives, with the same ids, so both feed the core's scoring alike. When the forum's Data Explorer is off or this
 * key may not use it, or our query fails there, the month is read through the API, and the run's
 * summary says once what switching it on would save.
 */
import type { Activity, Member, Newcomer, Signal, Unanswered } from "../../../src/domain.js";
import { SpotlightError } from "../../../src/errors.js";
import { periodBounds } from "../../../src/period.js";
import type { ReadRequest, ReadResult } from "../../types.js";
import { type DiscourseContext, discourseSite } from "../context.js";
import { postUrl, toMember } from "../map.js";
import type { DiscourseUser } from "../raw.js";
import { readPeriod } from "../read/index.js";
import { DAY } from "../read/reading.js";
import { ensureQuery, type Row, runQuery, type Unavailable } from "./queries.js";

const SIGNALS: Record<string, { signal: Signal; id: (t: number, p: number, other: number | null) => string }> = {
  l: { signal: "like_received", id: (t, p, o) => `like:${t}:${p}:${o}` },
  s: { signal: "solution", id: (t, p) => `solution:${t}:${p}` },
  t: { signal: "topic", id: (t, p) => `post:${t}:${p}` },
  r: { signal: "reply", id: (t, p) => `post:${t}:${p}` },
  f: { signal: "flagged", id: (t, p) => `flagged:${t}:${p}` },
};

type Profile = [
  id: number,
  username: string,
  name: string | null,
  trustLevel: number,
  admin: boolean,
  moderator: boolean,
  staged: boolean,
  createdAt: number,
  suspendedTill: number | null,
  silencedTill: number | null,
  hideProfile: boolean,
  avatarUpload: number | null,
  groups: string[],
];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function parse<T>(row: Row): T {
  try {
    return JSON.parse(row[2]) as T;
  } catch {
    throw new SpotlightError(
      `[spotlight] [discourse] Data Explorer row ${row[0]} ${row[1]}: data is not JSON: ${row[2].slice(0, 120)}`,
      "bad_response",
    );
  }
}

/** The query's rows as the read's result (see period.sql for what each kind of row holds). */
export function fromRows(d: DiscourseContext, rows: readonly Row[]): Omit<ReadResult, "cursor" | "requests"> {
  const base = d.http.base;
  const topics = new Map<number, { slug: string; title: string | null }>();
  for (const r of rows)
    if (r[0] === "t")
      for (const [id, slug, title] of parse<Array<[number, string, string | null]>>(r)) topics.set(id, { slug, title });
  const activities: Activity[] = [];
  const members: Member[] = [];
  const soleContacts: Record<string, string> = {};
  const unanswered: Unanswered[] = [];
  const newcomers: Newcomer[] = [];
  const now = d.now();
  for (const r of rows) {
    const [kind, id] = r;
    if (kind === "a")
      for (const [k, t, p, other, at, pub] of parse<Array<[string, number, number, number | null, number, 0 | 1]>>(r)) {
        const s = SIGNALS[k];
        if (!s) continue;
        const topic = topics.get(t);
        activities.push({
          id: s.id(t, p, other),
          memberId: id,
          signal: s.signal,
          at: iso(at)!,
          otherId: other === null ? null : String(other),
          topicId: String(t),
          url: postUrl(base, { slug: topic?.slug ?? "", topic_id: t, post_number: p }),
          title: topic?.title ?? null,
          public: pub === 1,
        });
      }
    else if (kind === "w") {
      const [t, p, newcomer, at, pub, slug, title] =
        parse<[number, number, number, number, 0 | 1, string, string | null]>(r);
      activities.push({
        id: `newcomer_reply:${t}:${p}`,
        memberId: id,
        signal: "newcomer_reply",
        at: iso(at)!,
        otherId: String(newcomer),
        topicId: String(t),
        url: postUrl(base, { slug, topic_id: t, post_number: p }),
        title,
        public: pub === 1,
      });
    } else if (kind === "s") soleContacts[id] = r[2];
    else if (kind === "u") {
      const [username, t, slug, title, at] = parse<[string, number, string, string | null, number]>(r);
      unanswered.push({
        memberId: id,
        username,
        url: postUrl(base, { slug, topic_id: t, post_number: 1 }),
        title,
        at: iso(at)!,
      });
    } else if (kind === "n") {
      const [username, joined, staff, first, asked, topic, answered, by, next, helped] =
        parse<
          [
            string,
            number,
            boolean,
            number,
            number | null,
            number | null,
            number | null,
            number | null,
            number | null,
            number | null,
          ]
        >(r);
      newcomers.push({
        memberId: id,
        username,
        joinedAt: iso(joined)!,
        firstPostAt: iso(first)!,
        staff,
        firstQuestion:
          asked === null
            ? null
            : {
                at: iso(asked)!,
                topicId: String(topic),
                answeredAt: iso(answered),
                answeredBy: by === null ? null : String(by),
              },
        nextPostAt: iso(next),
        firstHelpAt: iso(helped),
        seenAt: now.toISOString(),
      });
    } else if (kind === "p")
      for (const [
        uid,
        username,
        name,
        tl,
        admin,
        moderator,
        staged,
        created,
        suspended,
        silenced,
        hides,
        upload,
        groups,
      ] of parse<Profile[]>(r)) {
        const user: DiscourseUser = {
          id: uid,
          username,
          name,
          // UserAvatar.local_avatar_template; a letter avatar's colour is not in the database.
          avatar_template: upload
            ? `/user_avatar/${base.hostname}/${username.toLowerCase()}/{size}/${upload}_2.png`
            : "",
          created_at: iso(created)!,
          trust_level: tl,
          admin,
          moderator,
          staged,
          suspended_till: iso(suspended),
          silenced_till: iso(silenced),
          groups: groups.map((g) => ({ name: g })),
          user_option: { hide_profile: hides },
        };
        members.push(toMember(user, base, now));
      }
  }
  return { activities, members, soleContacts, unanswered, newcomers };
}

/** How long a finding that Data Explorer cannot be used holds before it is asked again. */
const ASK_AGAIN_MS = 3_600_000;

const OFF = "Data Explorer is off on the forum (admin setting data_explorer_enabled)";
const NOT_ALLOWED = "the API key may not use Data Explorer (it takes an admin key: queries are an admin's)";

/** The period through Data Explorer, or why it cannot be used. */
async function readByExplorer(d: DiscourseContext, req: ReadRequest): Promise<ReadResult | Unavailable> {
  const before = d.http.requests;
  // Once a process: our query stays as it was made while the process runs.
  const id = d.explorerQuery ?? (await ensureQuery(d));
  if (typeof id !== "number") return id;
  d.explorerQuery = id;
  const { start, end } = periodBounds(req.period);
  const { sync, scoring } = d.options;
  const utc = (ms: number) => new Date(ms).toISOString().replace("Z", "");
  const rows = await runQuery(d, id, {
    period_start: utc(start),
    period_end: utc(end),
    per_order: String(sync.candidatesPerOrder),
    newcomers_since: utc(start - scoring.newcomer.accountAgeDays * DAY),
    follow_since: utc(start - Math.max(scoring.newcomer.accountAgeDays, sync.followNewcomersDays) * DAY),
    age_days: String(scoring.newcomer.accountAgeDays),
    max_newcomers: String(sync.maxNewcomers),
  });
  req.onProgress?.({ step: "explorer", done: 1, total: 1, requests: d.http.requests - before });
  return {
    ...fromRows(d, rows),
    cursor: { version: 1, newest: {}, ownTopics: {} },
    requests: d.http.requests - before,
  };
}

/**
 * The cheapest way the forum allows: Data Explorer when the site setting lets us try it, else (or
 * when it is off, not ours to use, or our query fails there) the API read.
 */
export async function readPeriodCheapest(d: DiscourseContext, req: ReadRequest): Promise<ReadResult> {
  const before = d.http.requests;
  const now = d.now().getTime();
  const known = d.explorerUnavailable && now - d.explorerUnavailable.at < ASK_AGAIN_MS ? d.explorerUnavailable : null;
  let why = known?.why ?? null;
  if (discourseSite(d.options).dataExplorer !== "off" && !known) {
    try {
      const got = await readByExplorer(d, req);
      if (typeof got !== "string") return got;
      why = got === "off" ? OFF : NOT_ALLOWED;
    } catch (err) {
      if (!(err instanceof SpotlightError)) throw err;
      if (err.kind === "auth") why = NOT_ALLOWED;
      else if (err.kind === "bad_response" || err.kind === "http" || err.kind === "not_found") {
        d.log.info(
          { event: "spotlight.discourse.explorer_failed", site: d.options.site.id, error: err.message },
          "the Data Explorer query failed; the month is read through the API",
        );
        why = `our Data Explorer query failed there (${err.message})`;
        // It may have been deleted or edited on the forum: look it up again next time.
        d.explorerQuery = null;
      } else throw err;
    }
    d.explorerUnavailable = why ? { why, at: now } : null;
  }
  const result = await readPeriod(d, req);
  if (why && !d.explorerAdvised) {
    d.explorerAdvised = true;
    d.log.warn(
      {
        event: "spotlight.read.cheaper_path",
        site: d.options.site.id,
        requests: d.http.requests - before,
        advice: `${why}: this month took ${d.http.requests - before} requests through the API, with Data Explorer a month takes 2 or 3 (README: "Data Explorer")`,
      },
      "a cheaper way to read the forum is not available",
    );
  }
  return { ...result, requests: d.http.requests - before };
}
