/**
 * The closing summaries the commands print on stdout: who is featured and why not the others,
 * what the month cost in platform requests (and how long that takes at the site's pace), the
 * warnings in words, and what publishing did or would do. Every member-supplied string is
 * cleaned of control characters first (a name must not drive the terminal).
 */
import type { Plan } from "../domain.js";
import type { PublishReport } from "../publish/index.js";
import { clean, truncate } from "../render/escape.js";
import type { WelcomeReport } from "../welcome/index.js";
import { minutesInWords } from "./progress.js";

/** The pace a real run goes at: requests a minute, and how to name it. */
export interface Pace {
  perMinute: number;
  /** E.g. "the site's budget of 50 a minute". */
  name: string;
}

/** Terminal-safe cell: no control characters (escape sequences), bounded width. */
const cell = (s: string, width: number) => truncate(clean(s), width).padEnd(width);

export function planSummary(plan: Plan, dir: string, files: string[], pace: Pace, warnings: string[]): string {
  const lines = [`Community Spotlight · ${plan.site} · ${plan.period.id}`, ""];
  lines.push(
    `  ${"#".padEnd(3)}${cell("member", 24)} ${cell("slot", 8)} ${"score".padStart(8)} ${"solved".padStart(7)} ${"welcomed".padStart(9)} ${"people".padStart(7)} ${"days".padStart(5)}`,
  );
  plan.featured.forEach((f, i) => {
    const s = f.card.signals;
    lines.push(
      `  ${String(i + 1).padEnd(3)}${cell(f.member.username, 24)} ${cell(f.slot, 8)} ${f.card.total.toFixed(1).padStart(8)} ${String(s.solution.counted).padStart(7)} ${String(s.newcomer_reply.counted).padStart(9)} ${String(f.card.distinctPeople).padStart(7)} ${String(f.card.activeDays).padStart(5)}`,
    );
  });
  if (!plan.featured.length) lines.push("  (nobody qualified this period)");
  const topSkipped = plan.skipped.slice(0, 8);
  if (topSkipped.length) {
    lines.push("", "  Not featured (highest scores):");
    for (const s of topSkipped)
      lines.push(
        `     ${cell(s.username ?? "(not named)", 24)} ${s.total.toFixed(1).padStart(8)}  ${s.reasons.join(", ")}`,
      );
  }
  const scored = plan.stats.scored ?? plan.stats.members;
  const who =
    scored < plan.stats.members
      ? `${plan.stats.members} active members (the top ${scored} scored exactly)`
      : `${plan.stats.members} members scored`;
  lines.push("", `  ${who} from ${plan.stats.activities} activities`);
  const n = plan.stats.requests;
  lines.push(
    `  ${n} platform request${n === 1 ? "" : "s"}${n ? `: ${minutesInWords(n, pace.perMinute)} at ${pace.name}` : ""}`,
  );
  const impact = plan.stats.impact;
  if (impact) lines.push(impactLine(impact));
  if (warnings.length) {
    lines.push("", "  Warnings:");
    for (const w of warnings) lines.push(`     - ${w}`);
  }
  lines.push(`  Wrote ${files.length} files to ${dir}`);
  return lines.join("\n");
}

export function publishSummary(r: PublishReport, warnings: string[] = []): string {
  const lines = ["", `  ${r.dryRun ? "Would publish (dry run, nothing was written)" : "Published"} · ${r.period}`];
  if (r.homepage)
    lines.push(`     homepage    ${r.homepage.url ?? "(new topic)"}${r.homepage.changed ? "" : "  (unchanged)"}`);
  for (const n of r.notes)
    lines.push(`     note        ${cell(n.username, 24)} ${n.outcome}${n.ref ? `  (${n.ref})` : ""}`);
  if (r.newsletter)
    lines.push(`     newsletter  ${r.newsletter.url ?? "(new draft)"}${r.newsletter.changed ? "" : "  (unchanged)"}`);
  if (r.welcome)
    lines.push(
      `     welcome     ${r.welcome.url ?? "(platform's welcome)"}${r.welcome.changed ? "" : "  (unchanged)"}`,
    );
  if (r.badge)
    lines.push(
      `     badge       ${r.badge.granted.length ? `granted to ${r.badge.granted.map((u) => clean(u)).join(", ")}` : "(already granted)"}`,
    );
  if (r.group)
    lines.push(
      `     group       ${r.group.added.length || r.group.removed.length ? `added ${r.group.added.length}, removed ${r.group.removed.length}` : "(unchanged)"}`,
    );
  if (r.keptLive)
    lines.push(
      "     nobody to feature this period: the live spotlight, the newsletter, badge and group were left as they were",
    );
  if (r.droppedOptedOut)
    lines.push(`     ${r.droppedOptedOut} featured member(s) opted out since the plan was made and were left out`);
  if (r.dryRun) {
    lines.push("", "  Writes it would make:");
    for (const a of r.actions) lines.push(`     ${a.method} ${a.path}  ${clean(a.summary)}`);
  }
  if (warnings.length) {
    lines.push("", "  Warnings:");
    for (const w of warnings) lines.push(`     - ${w}`);
  }
  return lines.join("\n");
}

/** What a round of newcomers' welcomes did, in a line or a few (nothing when there was nothing to do). */
export function welcomeSummary(r: WelcomeReport): string {
  if (r.idle === "nothing_published")
    return "\n  Welcomes: none sent yet (they show the featured members of a published month; none is published)";
  if (r.idle === "no_public_url")
    return "\n  Welcomes: none sent (set server.publicUrl: every welcome carries an opt-out link)";
  if (r.idle === "off" || (!r.sent.length && !r.skipped.length)) return "";
  const lines = ["", `  Welcomes · ${r.sent.length} newcomer(s), ${r.skipped.length} not welcomed`];
  for (const s of r.sent)
    lines.push(`     welcome     ${cell(s.username, 24)} ${s.outcome}${s.ref ? `  (${s.ref})` : ""}`);
  const why = new Map<string, number>();
  for (const s of r.skipped) why.set(s.reason, (why.get(s.reason) ?? 0) + 1);
  if (why.size)
    lines.push(`     not welcomed: ${[...why].map(([k, n]) => `${n} ${k.replaceAll("_", " ")}`).join(", ")}`);
  return lines.join("\n");
}

/** The month's line on what recognition changed so far (src/impact/), or that it cannot say yet. */
export function impactLine(impact: NonNullable<Plan["stats"]["impact"]>): string {
  const e = impact.featured["4"].all;
  if (!e) return "  Impact: not enough data yet (it takes 8 featured members whose 4 weeks after are over)";
  const n = (v: number) => `${v > 0 ? "+" : ""}${v.toFixed(1)}`;
  const reading = e.low > 0 ? "more activity" : e.high < 0 ? "less activity" : "no clear change";
  return (
    `  Impact: ${reading}: featured members wrote ${n(e.effect)} posts in the 4 weeks after their month, ` +
    `against members like them (95%: ${n(e.low)} to ${n(e.high)}; ${e.n} members, ${impact.months.length} months)`
  );
}
