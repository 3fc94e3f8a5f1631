/** What the plugin's tests share: REST calls as someone, pages as visitors see them, the worker. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createWordPressAdapter } from "../../adapters/wordpress/index.js";
import { defaultSettings, siteWithDefaults } from "../../src/config.js";
import type { Logger } from "../../src/log.js";
import type { PipelineDeps } from "../../src/pipeline.js";
import type { Settings } from "../../src/settings.js";
import type { Store } from "../../src/store/types.js";
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

export const workerEnv = (wp: WordPressSite, password = wp.appPassword, user = wp.user) => ({
  WP_APP_PASSWORD: password,
  WP_USER: user,
  SPOTLIGHT_SECRET: "wp-secret",
});

/** The worker's adapter, as `user` (the worker account unless said) with its Application Password. */
export function workerAdapter(wp: WordPressSite, password?: string, logger?: Logger, user?: string) {
  const s = workerSettings(wp);
  return createWordPressAdapter({
    site: s.sites[0]!,
    sync: s.sync,
    scoring: s.scoring,
    publish: s.publish,
    env: workerEnv(wp, password, user),
    identityKey: "wp-secret",
    dashboardUrl: "https://spotlight.example/admin",
    ...(logger ? { logger } : {}),
  });
}

/**
 * wpDiscuz's votes table, created as wpDiscuz creates it (includes/class.WpdiscuzDBManager.php,
 * dbCreateTables), and votes on one approved comment of `authorId`: [voter, 1 or -1, guest].
 */
export function wpdiscuzVotes(
  wp: WordPressSite,
  authorId: number,
  at: string,
  votes: ReadonlyArray<[voter: string, type: 1 | -1, guest: boolean]>,
): void {
  const columns = [
    "`id` INT(11) NOT NULL AUTO_INCREMENT",
    "`user_id` VARCHAR(32) NOT NULL",
    "`comment_id` INT(11) NOT NULL",
    "`vote_type` INT(11) DEFAULT NULL",
    "`is_guest` TINYINT(1) DEFAULT 0",
    "`post_id` BIGINT(20) UNSIGNED NOT NULL DEFAULT 0",
    "`date` INT(11) UNSIGNED NOT NULL DEFAULT 0",
    "PRIMARY KEY (`id`)",
    ...["user_id", "comment_id", "vote_type", "is_guest", "post_id"].map((k) => `KEY \`${k}\` (\`${k}\`)`),
  ];
  const spec = JSON.stringify({ columns: columns.join(", "), authorId, at, votes });
  wp.php(`
global $wpdb;
$spec = json_decode('${spec.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}', true);
$t = $wpdb->prefix . 'wc_users_voted';
$wpdb->query("CREATE TABLE IF NOT EXISTS \`$t\` ({$spec['columns']}) " . $wpdb->get_charset_collate());
$c = get_comments(['user_id' => $spec['authorId'], 'number' => 1, 'status' => 'approve'])[0];
foreach ($spec['votes'] as [$u, $type, $guest])
  $wpdb->insert($t, ['user_id' => $u, 'comment_id' => $c->comment_ID, 'vote_type' => $type,
    'is_guest' => $guest ? 1 : 0, 'post_id' => $c->comment_post_ID, 'date' => strtotime($spec['at'])]);
`);
}

/** A spotlight for alice, bob and carol as the worker sends it, their names hostile, its links too. */
export function hostileSpotlight(wp: WordPressSite, names: readonly string[], ids: Record<string, number>) {
  return {
    period: "2026-10",
    lang: "en",
    heading: "Community Spotlight: October 2026",
    intro: "Thank you to <b>these</b> members.",
    outro: "Want to be part of it?",
    members: (["alice", "bob", "carol"] as const).map((login, i) => ({
      user_id: ids[login],
      name: `${names[i]} ${login}`,
      profile_url: `${wp.baseUrl}/?author=${ids[login]}`,
      avatar_url: "javascript:alert(1)",
      slot: "Top helper",
      summary: "Answered 3 questions",
      highlights: [{ title: names[(i + 1) % names.length], url: "javascript:alert(2)", kind: "reply" }],
      quote: "“Thanks, that worked!”",
    })),
  };
}

/** The pipeline on the site as the worker (no newsletter: the plugin's tests are about the rest). */
export function workerDeps(wp: WordPressSite, store: Store, now: Date): PipelineDeps {
  const s = workerSettings(wp);
  s.publish.newsletter.enabled = false;
  return { settings: s, store, adapter: workerAdapter(wp), site: s.sites[0]!, env: workerEnv(wp), now: () => now };
}

/** How many options and user meta of the plugin's the site holds. */
export function pluginLeftovers(wp: WordPressSite): number {
  return Number(
    wp.php(`global $wpdb;
echo $wpdb->get_var("SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE 'community\\\\_spotlight\\\\_%'")
  + $wpdb->get_var("SELECT COUNT(*) FROM {$wpdb->usermeta} WHERE meta_key LIKE '%community\\\\_spotlight%'");`),
  );
}
