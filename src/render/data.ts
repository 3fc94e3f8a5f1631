/**
 * The spotlight as data, in the site's language: for a platform that renders it itself (a site
 * plugin's block that drops a member who opts out the moment they do). Plain text, cleaned as
 * every text we write is; the platform escapes it where it prints it.
 */
import type { SpotlightData } from "../../adapters/types.js";
import type { Plan } from "../domain.js";
import { translate } from "./index.js";
import type { MemberView, SpotlightView } from "./view.js";

type Translate = (key: string, values?: Record<string, unknown>) => string;

/** One featured member as plain texts in the view's language (the widget's JSON, the data below). */
export function memberTexts(m: MemberView, t: Translate) {
  return {
    name: m.name,
    profileUrl: m.profileUrl,
    avatarUrl: m.avatarUrl,
    slot: t(m.slotKey),
    summary: [
      m.solutions ? t("summary.solutions", { count: m.solutions }) : null,
      m.newcomers ? t("summary.newcomers", { count: m.newcomers }) : null,
      t("summary.people", { count: m.people }),
    ]
      .filter(Boolean)
      .join(" · "),
    highlights: m.highlights.map((h) => ({ title: h.title, url: h.url, kind: t(h.kind) })),
  };
}

/** `sv` is the spotlight view of `plan` (its members in the plan's order). */
export function spotlightData(plan: Plan, sv: SpotlightView): SpotlightData {
  const t: Translate = (key, values = {}) => translate(sv.locale, "txt", key, values);
  return {
    period: sv.period.id,
    locale: sv.locale,
    heading: t("spotlight.heading", { period: sv.period.label }),
    intro: t("spotlight.intro", { site: sv.site.title, period: sv.period.label }),
    outro: t("spotlight.outro"),
    members: sv.members.map((m, i) => ({
      memberId: plan.featured[i]!.member.id,
      ...memberTexts(m, t),
      quote: m.quote ? t("spotlight.quote", { quote: m.quote.text, by: m.quote.by }) : null,
    })),
  };
}
