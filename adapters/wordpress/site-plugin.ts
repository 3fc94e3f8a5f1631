/**
 * The Community Spotlight plugin on the WordPress site (adapters/wordpress/plugin/), when it is
 * installed and this worker's account is the one its admin chose: found by asking its status
 * route once per adapter. With it, the spotlight is also published as data its block and
 * shortcode render (a member who opts out disappears at once), notes go through the site's own
 * wp_mail exactly once per member (its mark in user meta outlives our store), members' up-votes
 * from wpDiscuz count as likes, and the site's admin page shows when the worker last read the site.
 * Without it, everything works as before (SMTP notes, the synced pattern), and the run says once
 * what installing it would bring.
 */
import { createHash } from "node:crypto";
import type { Activity } from "../../src/domain.js";
import { SpotlightError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import type { HomepageContent, NoteContent } from "../types.js";
import type { PluginStatus, WordPressContext } from "./context.js";

const NS = "community-spotlight/v1";

/** What the plugin says about itself, asked once per adapter. */
export function pluginStatus(ctx: WordPressContext): Promise<PluginStatus> {
  ctx.plugin ??= (async (): Promise<PluginStatus> => {
    try {
      const s = await ctx.http.get<{ version: string; votes: "wpdiscuz" | null }>(`${NS}/status`);
      return { state: "ours", version: s.version, votes: s.votes };
    } catch (err) {
      if (!(err instanceof SpotlightError)) throw err;
      if (err.kind === "not_found") return { state: "absent" };
      if (err.kind === "auth" && /community_spotlight_no_worker/.test(err.message)) return { state: "not_chosen" };
      if (err.kind === "auth") return { state: "another_worker" };
      throw err;
    }
  })();
  return ctx.plugin.then((s) => {
    advise(ctx, s);
    return s;
  });
}

/** Once per adapter, in the run's summary: what the plugin would bring, or what to set in it. */
function advise(ctx: WordPressContext, s: PluginStatus) {
  if (s.state === "ours" || ctx.pluginAdvised) return;
  ctx.pluginAdvised = true;
  const site = ctx.options.site.baseUrl;
  const advice =
    s.state === "absent"
      ? `the Community Spotlight plugin is not installed on ${site}: with it (npm run plugin:zip, README "The WordPress plugin"), the spotlight is a block that drops a member the moment they opt out, members can opt out in their profile, notes go through the site's own mail exactly once, and wpDiscuz votes count`
      : s.state === "not_chosen"
        ? `the Community Spotlight plugin on ${site} has no worker account yet: choose "${ctx.user}" in Settings → Community Spotlight`
        : `the Community Spotlight plugin on ${site} is set up for another worker account: choose "${ctx.user}" in Settings → Community Spotlight`;
  (ctx.options.logger ?? silentLogger).warn(
    { event: "spotlight.platform.advice", site: ctx.options.site.id, advice },
    "the site's plugin is not in use",
  );
}

/** Our key for a note on the site: the marker's hash (which member and period it is stays ours). */
const noteKey = (note: NoteContent) => createHash("sha256").update(note.marker).digest("hex").slice(0, 40);

export async function findNoteByPlugin(ctx: WordPressContext, note: NoteContent): Promise<{ ref: string } | null> {
  const key = noteKey(note);
  const r = await ctx.http.get<{ sent: boolean }>(`${NS}/notes`, { user_id: note.member.id, key });
  return r.sent ? { ref: `wp_mail:${key}` } : null;
}

export async function sendNoteByPlugin(
  ctx: WordPressContext,
  note: NoteContent,
): Promise<{ ref: string | null; declined?: string }> {
  const key = noteKey(note);
  const r = await ctx.http.request<{ status: "sent" | "already_sent" | "opted_out" | "no_address" }>(
    "POST",
    `${NS}/notes`,
    {
      body: {
        user_id: Number(note.member.id),
        key,
        subject: note.title,
        text: note.text ?? note.body,
        ...(note.html ? { html: note.html } : {}),
        ...(note.optOutUrl ? { listUnsubscribe: note.optOutUrl } : {}),
      },
    },
  );
  if (r.status === "opted_out") return { ref: null, declined: "the member opted out in their profile on the site" };
  if (r.status === "no_address") return { ref: null, declined: "the member has no valid e-mail address on the site" };
  return { ref: `wp_mail:${key}` };
}

/** The spotlight as data for the plugin's block and shortcode; whether it changed. */
export async function publishToPlugin(ctx: WordPressContext, content: HomepageContent): Promise<boolean> {
  const s = content.spotlight;
  if (!s) return false;
  const r = await ctx.http.request<{ changed: boolean }>("POST", `${NS}/spotlight`, {
    body: {
      period: s.period,
      lang: s.locale,
      heading: s.heading,
      intro: s.intro,
      outro: s.outro,
      // Guests have no account the plugin could check an opt-out against: the pattern shows them.
      members: s.members
        .filter((m) => /^\d+$/.test(m.memberId))
        .map((m) => ({
          user_id: Number(m.memberId),
          name: m.name,
          profile_url: m.profileUrl ?? "",
          avatar_url: m.avatarUrl ?? "",
          slot: m.slot,
          summary: m.summary,
          highlights: m.highlights,
          quote: m.quote ?? "",
        })),
    },
  });
  await report(ctx, { period: s.period, planStatus: "published" });
  return r.changed;
}

/** Tell the plugin's admin page what the worker did (never fails a run). */
export async function report(ctx: WordPressContext, status: Record<string, string>): Promise<void> {
  const dashboard = ctx.options.dashboardUrl;
  try {
    await ctx.http.request("POST", `${NS}/status`, {
      body: { ...status, ...(dashboard ? { dashboardUrl: dashboard } : {}) },
    });
  } catch (err) {
    (ctx.options.logger ?? silentLogger).info(
      { event: "spotlight.wordpress.report_failed", site: ctx.options.site.id, error: (err as Error).message },
      "could not tell the site's plugin",
    );
  }
}

interface Vote {
  id: number;
  voterId: number;
  commentId: number;
  postId: number;
  authorId: number;
  at: string;
  url: string;
}

/** Members' up-votes on approved comments in [start, end), as likes from the voter. */
export async function readVotes(ctx: WordPressContext, start: number, end: number): Promise<Activity[]> {
  const out: Activity[] = [];
  for (let offset = 0; ; offset += 500) {
    const r = await ctx.http.get<{ source: string | null; votes: Vote[] }>(`${NS}/votes`, {
      after: Math.floor(start / 1000),
      before: Math.floor(end / 1000),
      offset,
    });
    for (const v of r.votes)
      out.push({
        id: `vote:${v.id}`,
        memberId: String(v.authorId),
        signal: "like_received",
        at: new Date(v.at).toISOString(),
        otherId: String(v.voterId),
        topicId: String(v.postId),
        url: v.url,
        title: null,
        public: true,
      });
    if (r.votes.length < 500) return out;
  }
}
