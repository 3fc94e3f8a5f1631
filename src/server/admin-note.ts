/**
 * The period page's working parts: a note as the admin edits it (the text in the editor, the
 * admin's own or the generated message, whether it was edited, and a line-by-line diff against the
 * generated text), and the leaderboard as the admin searches and filters it.
 */
import type { Request } from "express";
import type { Plan, PlanEntry } from "../domain.js";
import { render } from "../render/index.js";
import { noteView, type ViewOptions } from "../render/view.js";

export type DiffLine = { kind: "same" | "del" | "ins"; text: string };

/** The lines of `a` and `b` as a shortest edit (longest common subsequence of lines). */
export function lineDiff(a: string, b: string): DiffLine[] {
  const x = a.split("\n");
  const y = b.split("\n");
  // lcs[i][j]: the longest common subsequence of x[i..] and y[j..].
  const lcs = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      out.push({ kind: "same", text: x[i]! });
      i++;
      j++;
    } else if (j < y.length && (i >= x.length || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) {
      out.push({ kind: "ins", text: y[j]! });
      j++;
    } else {
      out.push({ kind: "del", text: x[i]! });
      i++;
    }
  }
  return out;
}

export function noteEditor(plan: Plan, entry: PlanEntry, view: ViewOptions) {
  const generated = render("note-message", "md", noteView(plan, entry, view)).trimEnd();
  const own = plan.noteTexts?.[entry.member.id] ?? null;
  return {
    noteText: own ?? generated,
    noteEdited: own !== null,
    noteDiff:
      own === null
        ? []
        : lineDiff(generated, own)
            .filter((l) => l.kind !== "same" || l.text.trim())
            .map((l) => ({ ...l, mark: l.kind === "ins" ? "+" : l.kind === "del" ? "−" : " " })),
  };
}

/**
 * A name as search compares it: lower case with no marks, so that "ilkay" finds "İlkay" (JavaScript
 * lowers "İ" to "i" and a combining dot) and "jose" finds "José"; the names themselves are shown as
 * the platform gives them.
 */
export const searchFold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/ı/g, "i");

/**
 * The leaderboard's rows: the `size` best, or, searched (?q=, part of a username, any case) or
 * filtered (?show=eligible|ineligible|featured), every ranked member who matches, with their rank.
 */
export function leaderboard(plan: Plan, query: Request["query"], size: number, featured: ReadonlySet<string>) {
  const q = typeof query.q === "string" ? query.q.trim().slice(0, 60) : "";
  const show =
    typeof query.show === "string" && ["eligible", "ineligible", "featured"].includes(query.show) ? query.show : "all";
  const needle = searchFold(q);
  const rows = plan.ranked
    .map((r, i) => ({
      ...r,
      rank: i + 1,
      pinned: plan.overrides.pin.includes(r.memberId),
      excluded: plan.overrides.exclude.includes(r.memberId),
      featured: featured.has(r.memberId),
    }))
    .filter(
      (r) =>
        (!needle || searchFold(r.username).includes(needle)) &&
        (show === "all" ||
          (show === "featured" && r.featured) ||
          (show === "eligible" && r.eligible) ||
          (show === "ineligible" && !r.eligible)),
    );
  const filtered = !!needle || show !== "all";
  return {
    ranked: filtered ? rows : rows.slice(0, size),
    board: {
      q,
      options: ["all", "eligible", "ineligible", "featured"].map((value) => ({
        value,
        key: `admin.board.${value}`,
        selected: value === show,
      })),
      shown: filtered ? rows.length : Math.min(size, rows.length),
      total: plan.ranked.length,
    },
  };
}
