/**
 * An admin's edits to a prepared plan, pure: pin or exclude a member (or take it back), swap a
 * featured member for another, add a personal line to a member's note. The dashboard calls it and
 * saves what it returns; pins and exclusions change the selection, so the plan is then prepared
 * again from the stored activity (`replan`).
 */
import type { Plan, SkipReason } from "../domain.js";
import { hardReasons } from "./index.js";

export type PlanEdit =
  | { action: "pin" | "unpin" | "exclude" | "include"; member: string }
  | { action: "swap"; member: string; other: string }
  | { action: "line"; member: string; line: string }
  /** The note's whole message, as the admin wrote it (empty: the generated text again). */
  | { action: "text"; member: string; text: string };

export type EditResult =
  | { ok: true; plan: Plan; replan: boolean; summary: string }
  | { ok: false; problem: "unknown_member" }
  /** A pin nothing would come of: the member cannot be featured (`reasons`), or every place is pinned. */
  | { ok: false; problem: "cannot_feature"; member: string; reasons: SkipReason[] }
  | { ok: false; problem: "all_pinned"; member: string };

/** The longest personal line kept (the rest is cut). */
export const PERSONAL_LINE_MAX = 500;
/** The longest note text an admin may write (a private message, not an essay). */
export const NOTE_TEXT_MAX = 5000;

const without = (ids: readonly string[], id: string) => ids.filter((x) => x !== id);

/**
 * The plan with `edit` applied; `plan` itself is left as it was. A pin (or a swap's new member)
 * that could not feature the member is refused, saying why, rather than saved to do nothing:
 * `featuredCount` places, at most that many pins.
 */
export function editPlan(plan: Plan, edit: PlanEdit, featuredCount = Number.POSITIVE_INFINITY): EditResult {
  const known = new Set([...plan.ranked.map((r) => r.memberId), ...plan.featured.map((f) => f.member.id)]);
  const name = (id: string) =>
    plan.ranked.find((r) => r.memberId === id)?.username ??
    plan.featured.find((f) => f.member.id === id)?.member.username ??
    id;
  if (!known.has(edit.member) || (edit.action === "swap" && !known.has(edit.other)))
    return { ok: false, problem: "unknown_member" };
  const { pin, exclude } = plan.overrides;
  const member = edit.member;
  const pinned = edit.action === "pin" ? member : edit.action === "swap" ? edit.other : null;
  if (pinned !== null) {
    // Unnamed members (opted out, hidden profile) are not in the plan by id: unknown above.
    // (An exclusion by an admin is what a pin takes back.)
    const reasons = plan.skipped.find((x) => x.memberId === pinned)?.reasons ?? [];
    const blocked = hardReasons(reasons).filter((r) => r !== "excluded_by_admin");
    if (blocked.length) return { ok: false, problem: "cannot_feature", member: pinned, reasons: blocked };
    const others = pin.filter((x) => x !== pinned && !(edit.action === "swap" && x === member));
    if (others.length >= featuredCount) return { ok: false, problem: "all_pinned", member: pinned };
  }
  const replan = (overrides: Plan["overrides"], summary = name(member)): EditResult => ({
    ok: true,
    plan: { ...structuredClone(plan), overrides },
    replan: true,
    summary,
  });
  switch (edit.action) {
    case "pin":
      return replan({ pin: [...without(pin, member), member], exclude: without(exclude, member) });
    case "unpin":
      return replan({ pin: without(pin, member), exclude: [...exclude] });
    case "exclude":
      return replan({ pin: without(pin, member), exclude: [...without(exclude, member), member] });
    case "include":
      return replan({ pin: [...pin], exclude: without(exclude, member) });
    case "swap": {
      const other = edit.other;
      return replan(
        { pin: [...without(without(pin, member), other), other], exclude: [...without(exclude, member), member] },
        `${name(member)} → ${name(other)}`,
      );
    }
    case "text": {
      const text = edit.text.replace(/\r\n?/g, "\n").trim().slice(0, NOTE_TEXT_MAX).trim();
      const { [member]: _old, ...others } = plan.noteTexts ?? {};
      const noteTexts = text ? { ...others, [member]: text } : others;
      return { ok: true, plan: { ...structuredClone(plan), noteTexts }, replan: false, summary: name(member) };
    }
    case "line": {
      const line = edit.line.trim().slice(0, PERSONAL_LINE_MAX).trim();
      const { [member]: _old, ...others } = plan.personalLines ?? {};
      const personalLines = line ? { ...others, [member]: line } : others;
      return { ok: true, plan: { ...structuredClone(plan), personalLines }, replan: false, summary: name(member) };
    }
  }
}

/** The form's fields as a plan edit (null when the action is none of them). */
export function planEditFrom(
  action: string,
  member: string,
  body: Record<string, unknown> | undefined,
): PlanEdit | null {
  switch (action) {
    case "pin":
    case "unpin":
    case "exclude":
    case "include":
      return { action, member };
    case "swap":
      return { action, member, other: String(body?.other ?? "") };
    case "line":
      return { action, member, line: String(body?.line ?? "") };
    case "text":
      return { action, member, text: String(body?.text ?? "") };
    default:
      return null;
  }
}
