/** What the plugin's tests share: REST calls as someone, pages as visitors see them, the worker. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createWordPressAdapter } from "../../adapters/wordpress/index.js";
import { defaultSettings, siteWithDefaults } from "../../src/config.js";
import type { Logger } from "../../src/log.js";
import type { Settings } from "../../src/settings.js";
import type { SmtpPeer } from "../smtp-peer.js";
import type { WordPressSite } from "./site.js";

export interface Credentials {
  user: string;
  password: string;
}

/** A REST call as someone (Basic with an Application Password), or as nobody. */
export async function restAs(
  wp: WordPressSite,
  path: string,
  as: Credentials | null,
  init: { method?: string; body?: unknown } = {},
) {
  const res = await fetch(`${wp.baseUrl}/wp-json/${path}`, {
    method: init.method ?? "GET",
    headers: {
      "Content-Type": "application/json",
      ...(as ? { Authorization: `Basic ${Buffer.from(`${as.user}:${as.password}`).toString("base64")}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** A page's content as visitors see it. */
export async function pageAsVisitors(wp: WordPressSite, id: number): Promise<string> {
  return (await fetch(`${wp.baseUrl}/?page_id=${id}`)).text();
}

/** The site's mail (wp_mail) goes to the SMTP peer: a test-only must-use plugin, as a mail plugin would. */
export function mailThrough(wp: WordPressSite, smtp: SmtpPeer): void {
  mkdirSync(join(wp.stateDir, "wp-content", "mu-plugins"), { recursive: true });
  writeFileSync(
    join(wp.stateDir, "wp-content", "mu-plugins", "test-smtp.php"),
    `<?php
add_action('phpmailer_init', function ($m) { $m->isSMTP(); $m->Host = '127.0.0.1'; $m->Port = ${new URL(smtp.url).port}; $m->SMTPAuth = false; $m->SMTPAutoTLS = false; });
add_filter('wp_mail_from', function () { return 'site@example.test'; });
`,
  );
}

/** The worker's settings for the site: no SMTP account (with the plugin, the site's mail carries notes). */
export function workerSettings(wp: WordPressSite): Settings {
  const s: Settings = {
    ...defaultSettings(),
    sites: [
      siteWithDefaults({
        id: "blog",
        platform: "wordpress",
        baseUrl: wp.baseUrl,
        title: "WP Test",
        credentials: { apiKeyEnv: "WP_APP_PASSWORD", apiUsernameEnv: "WP_USER" },
        requestsPerMinute: 100000,
        timeoutMs: 10000,
      }),
    ],
  };
  s.server.publicUrl = "https://spotlight.example/";
  s.mail = { smtpUrlEnv: "SMTP_URL", from: null };
  return s;
}

export const workerEnv = (wp: WordPressSite, password = wp.appPassword) => ({
  WP_APP_PASSWORD: password,
  WP_USER: wp.user,
  SPOTLIGHT_SECRET: "wp-secret",
});

export function workerAdapter(wp: WordPressSite, password?: string, logger?: Logger) {
  const s = workerSettings(wp);
  return createWordPressAdapter({
    site: s.sites[0]!,
    sync: s.sync,
    scoring: s.scoring,
    publish: s.publish,
    env: workerEnv(wp, password),
    identityKey: "wp-secret",
    dashboardUrl: "https://spotlight.example/admin",
    ...(logger ? { logger } : {}),
  });
}
