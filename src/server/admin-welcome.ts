/**
 * The welcome newcomers will get once this month is published, previewed for the admin before
 * anything goes out (review mode): the message to a newcomer (a sample: the newest one who posted,
 * else a stand-in name) as the platform will show it, and our section of the platform's own welcome.
 */
import type { Adapter } from "../../adapters/types.js";
import type { Plan } from "../domain.js";
import { keptNewcomers } from "../newcomers.js";
import { siteView } from "../output.js";
import { render, translate } from "../render/index.js";
import { markdownToHtml } from "../render/markdown.js";
import type { SiteSettings } from "../settings.js";
import { welcomeView } from "../welcome/index.js";
import type { AdminKit } from "./admin-kit.js";

export type WelcomePreview = "welcome" | "welcome-platform";

/** Which welcome previews the month's page offers (what the settings and the platform allow). */
export function welcomePreviews(kit: AdminKit, adapter: Adapter | undefined): WelcomePreview[] {
  const w = kit.settings.newcomers.welcome;
  const out: WelcomePreview[] = [];
  if (w.message) out.push("welcome");
  if (w.platform && adapter?.capabilities.welcome) out.push("welcome-platform");
  return out;
}

/** The preview page's view, or null when this site has no such welcome. */
export async function welcomePreview(
  kit: AdminKit,
  site: SiteSettings,
  plan: Plan,
  adapter: Adapter | undefined,
  what: string,
): Promise<Record<string, unknown> | null> {
  if (!welcomePreviews(kit, adapter).includes(what as WelcomePreview)) return null;
  const { settings, t } = kit;
  const newcomers = await keptNewcomers(kit.store, site.id);
  const markdown = adapter?.capabilities.markup === "markdown";
  const o = { ...siteView(settings, site), newcomers, now: kit.now() };
  if (what === "welcome-platform") {
    const v = welcomeView(plan, { ...o, newcomer: null });
    return {
      titleKey: "admin.preview.welcomePlatform",
      html: markdown ? markdownToHtml(render("welcome", "md", v)) : render("welcome-section", "html", v),
    };
  }
  const sample = newcomers
    .filter((n) => !n.staff)
    .sort((a, b) => (a.firstPostAt < b.firstPostAt ? 1 : a.firstPostAt > b.firstPostAt ? -1 : 0))[0];
  const name = sample?.username ?? t("admin.preview.sampleNewcomer");
  const v = welcomeView(plan, {
    ...o,
    newcomer: name,
    optOutUrl: settings.server.publicUrl ? new URL("optout/…", settings.server.publicUrl).toString() : null,
  });
  const byMessage = !!adapter?.capabilities.privateMessages;
  return {
    titleKey: "admin.preview.welcome",
    name,
    subject: translate(v.locale, "txt", "welcome.title", { site: v.site.title }),
    from: byMessage ? (adapter?.noteSender ?? "") : (settings.mail.from ?? t("admin.preview.noMail")),
    to: byMessage ? `@${name}` : t("admin.preview.memberAddress"),
    html: byMessage ? markdownToHtml(render("welcome", "md", v)) : render("welcome", "html", v),
  };
}
