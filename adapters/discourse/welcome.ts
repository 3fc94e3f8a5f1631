/**
 * Our section in the welcome message Discourse sends every new member (SystemMessage :welcome_user,
 * when the site setting send_welcome_message is on): the site text
 * system_messages.welcome_user.text_body_template in the forum's default locale, between our
 * markers, the rest of it as the admin wrote it (Admin::SiteTextsController#show and #update; the
 * locale is required, from /site/basic-info.json). The text goes through Ruby's I18n, whose
 * overrides may not use interpolation keys the default lacks (TranslationOverride
 * #check_interpolation_keys refuses any `%{...}`): every "%" of ours is written as the entity
 * &#37;, which Discourse's Markdown shows as "%".
 */
import type { Member } from "../../src/domain.js";
import type { Published, WelcomeContent, WriteContext } from "../types.js";
import { need } from "./client.js";
import type { DiscourseContext } from "./context.js";
import { write } from "./publish.js";
import { getProfile } from "./read/members.js";

export const WELCOME_TEXT = "system_messages.welcome_user.text_body_template";
const START = "<!-- community-spotlight:welcome:start -->";
const END = "<!-- community-spotlight:welcome:end -->";

/** `text` with our section in place of the last one, or added at its end. */
export function withSection(text: string, section: string): string {
  const block = `${START}\n${section.trim().replaceAll("%", "&#37;")}\n${END}`;
  const start = text.indexOf(START);
  const end = start < 0 ? -1 : text.indexOf(END, start);
  if (start >= 0 && end >= 0) return text.slice(0, start) + block + text.slice(end + END.length);
  return `${text.trimEnd()}\n\n${block}\n`;
}

export async function publishWelcome(
  d: DiscourseContext,
  content: WelcomeContent,
  w: WriteContext,
): Promise<Published> {
  const info = await d.http.get<{ locale?: string }>("/site/basic-info.json");
  need(info, "locale", "string", "/site/basic-info.json");
  const locale = info.locale!;
  const path = `/admin/customize/site_texts/${WELCOME_TEXT}.json`;
  const body = await d.http.get<{ site_text?: { value?: string } }>(path, { locale });
  need(body, "site_text", "object", path, { locale });
  need(body.site_text, "value", "string", path, { locale });
  const url = new URL(`admin/customize/site_texts/${WELCOME_TEXT}?locale=${encodeURIComponent(locale)}`, d.http.base);
  const next = withSection(body.site_text!.value!, content.section);
  if (next === body.site_text!.value) return { url: url.toString(), changed: false };
  await write(
    d,
    w,
    "PUT",
    path,
    { site_text: { value: next, locale } },
    `put the welcome section in the welcome message new members get (${locale})`,
  );
  return { url: url.toString(), changed: true };
}

/** A member's profile now (GET /u/{username}.json): null when gone, or when the name is someone else's now. */
export async function profile(d: DiscourseContext, member: { id: string; username: string }): Promise<Member | null> {
  const m = await getProfile(d, member.username, true);
  return m && m.id === member.id ? m : null;
}
