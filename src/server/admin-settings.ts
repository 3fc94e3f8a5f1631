/**
 * /admin/settings: the settings this server runs with, read-only (defaults filled in, changes
 * from the defaults marked, secrets only by the name of their variable and whether it is set),
 * and the problems an admin would otherwise meet later: notes that cannot carry their opt-out
 * link, e-mail that cannot go out, a webhook secret missing from the environment.
 */
import type { Router } from "express";
import type { Adapter } from "../../adapters/types.js";
import { defaultSettings, siteWithDefaults } from "../config.js";
import type { Settings } from "../settings.js";
import { type AdminKit, route } from "./admin-kit.js";

export interface SettingsCheck {
  level: "error" | "warning" | "info";
  key: string;
  values?: Record<string, unknown>;
}

/** What will go wrong, or could go better, with these settings in this environment. */
export function settingsChecks(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  adapters: ReadonlyMap<string, Adapter>,
): SettingsCheck[] {
  const out: SettingsCheck[] = [];
  const has = (name: string | null | undefined) => !!name && !!env[name];
  const mailReady = !!settings.mail.from && has(settings.mail.smtpUrlEnv);
  if (settings.publish.notes.enabled && !settings.server.publicUrl)
    out.push({ level: "error", key: "admin.settings.check.publicUrl" });
  const welcome = settings.newcomers.welcome;
  if (welcome.message && !settings.server.publicUrl)
    out.push({ level: "error", key: "admin.settings.check.welcomeUrl" });
  if (settings.newcomers.digest.emails.length && !mailReady)
    out.push({ level: "warning", key: "admin.settings.check.digestMail" });
  if (settings.admin.notifyEmails.length && !mailReady)
    out.push({
      level: "warning",
      key: "admin.settings.check.notifyMail",
      values: { variable: settings.mail.smtpUrlEnv },
    });
  for (const site of settings.sites) {
    if (site.webhookSecretEnv && !has(site.webhookSecretEnv))
      out.push({
        level: "warning",
        key: "admin.settings.check.webhookSecret",
        values: { site: site.id, variable: site.webhookSecretEnv },
      });
    const adapter = adapters.get(site.id);
    // A platform whose messages a site plugin can carry (Adapter.messageChannel) may not need mail.
    const byPlugin = !!adapter?.messageChannel;
    if (settings.publish.notes.enabled && adapter && !adapter.capabilities.privateMessages && !mailReady)
      out.push(
        byPlugin
          ? { level: "warning", key: "admin.settings.check.noteMailUnlessPlugin", values: { site: site.id } }
          : { level: "error", key: "admin.settings.check.noteMail", values: { site: site.id } },
      );
    if (welcome.message && adapter && !adapter.capabilities.privateMessages && !mailReady)
      out.push({ level: "error", key: "admin.settings.check.welcomeMail", values: { site: site.id } });
    if (welcome.message && welcome.platform && adapter?.capabilities.privateMessages && adapter.capabilities.welcome)
      out.push({ level: "warning", key: "admin.settings.check.welcomeTwice", values: { site: site.id } });
    if (settings.newcomers.digest.group && adapter && !adapter.sendGroupMessage)
      out.push({ level: "warning", key: "admin.settings.check.digestGroup", values: { site: site.id } });
  }
  if (settings.review.mode === "auto") out.push({ level: "info", key: "admin.settings.check.auto" });
  return out;
}

/** `{ a: { b: 1 } }` as [["a.b", "1"]]: every leaf, its value as JSON. */
function leaves(value: unknown, path = ""): Array<[string, string]> {
  if (value && typeof value === "object" && !Array.isArray(value))
    return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return [[path, JSON.stringify(value) ?? "null"]];
}

export function adminSettings(router: Router, kit: AdminKit) {
  const { deps, settings, env, t, page, common } = kit;
  router.get(
    "/settings",
    route(async (_req, res) => {
      const defaults = new Map(leaves(defaultSettings()));
      const { sites, ...rest } = settings;
      // A variable's name, and whether this server's environment has it (never its value).
      const shown = (key: string, value: string) =>
        /Env$/.test(key) && value !== "null"
          ? `${value} (${env[JSON.parse(value) as string] ? t("admin.settings.set") : t("admin.settings.unset")})`
          : value;
      const rows = (list: Array<[string, string]>, base: Map<string, string>) =>
        list.map(([key, value]) => ({
          key,
          value: shown(key, value),
          changed: base.has(key) && base.get(key) !== value,
        }));
      const sections = Object.entries(rest).map(([name, value]) => ({
        name,
        rows: rows(leaves(value, name), defaults),
      }));
      const siteSections = sites.map((site) => {
        const { id, platform, baseUrl, credentials } = site;
        const base = new Map(leaves(siteWithDefaults({ id, platform, baseUrl, credentials })));
        return { name: `sites[${site.id}]`, rows: rows(leaves(site), base) };
      });
      const checks = settingsChecks(settings, env, deps.adapters).map((c) => ({
        level: c.level,
        levelLabel: t(`admin.settings.level.${c.level}`),
        text: t(c.key, c.values),
      }));
      page(res, "settings", { ...common(res, t("admin.settings")), checks, sections: [...siteSections, ...sections] });
    }),
  );
}
