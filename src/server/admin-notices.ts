/** What the period page says when an action came back refused (?problem=…&member=…), in words. */
import type { Request } from "express";
import type { Plan } from "../domain.js";
import { hardReasons } from "../selection/index.js";

export function problemNotice(
  plan: Plan,
  status: string,
  query: Request["query"],
  t: (key: string, values?: Record<string, unknown>) => string,
  featuredCount: number,
): string | null {
  const id = typeof query.member === "string" ? query.member : "";
  const name =
    plan.ranked.find((r) => r.memberId === id)?.username ??
    plan.skipped.find((x) => x.memberId === id)?.username ??
    plan.featured.find((f) => f.member.id === id)?.member.username ??
    t("admin.unnamed");
  switch (query.problem) {
    case "locked":
      return t("admin.locked", { status: t(`admin.status.${status}`) });
    case "publisher":
      return t("admin.problem.publisher");
    case "noaddress":
      return t("admin.problem.noaddress");
    case "nomail":
      return t("admin.problem.nomail");
    case "unknown_member":
      return t("admin.problem.unknown");
    case "all_pinned":
      return t("admin.problem.allPinned", { name, count: featuredCount });
    case "cannot_feature": {
      // An exclusion by an admin is what a pin takes back: never the reason a pin was refused.
      const why = hardReasons(plan.skipped.find((x) => x.memberId === id)?.reasons ?? []);
      const reasons = why.filter((r) => r !== "excluded_by_admin").map((r) => t(`reason.${r}`));
      return t("admin.problem.cannotFeature", { name, reasons: reasons.join(", ") });
    }
    default:
      return null;
  }
}
