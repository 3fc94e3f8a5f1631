/**
 * A real MediaWiki for the tests (Debian's mediawiki package, SQLite, php -S), started by
 * scripts/mediawiki-test-site.sh on a free port, seeded through MediaWiki's own code
 * (test/mediawiki/seed.php), destroyed afterwards.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireFile, requireProgram } from "../programs.js";
import { freePort } from "../redis-server.js";

const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "mediawiki-test-site.sh");
const ROOT = "/tmp/spmw";

export interface WikiUserSpec {
  name: string;
  registered: string;
  groups?: string[];
  email?: string;
  noMail?: boolean;
  blocked?: boolean;
}
export interface WikiEditSpec {
  at: string;
  user: string;
  title: string;
  text?: string;
  summary?: string;
  rollback?: boolean;
}

export interface MediaWikiSite {
  baseUrl: string;
  botUser: string;
  botPassword: string;
  seed(community: { users: WikiUserSpec[]; edits: WikiEditSpec[] }): void;
  /** Another bot password of the admin, with these grants (Special:BotPasswords' names). */
  newBotPassword(app: string, grants: string[]): { user: string; password: string };
  destroy(): void;
}

/** `smtpPort`: the wiki's mail goes to this SMTP peer (test/smtp-peer.ts). */
export async function startMediaWiki(options: { smtpPort?: number } = {}): Promise<MediaWikiSite> {
  const why = "the MediaWiki tests run a real wiki";
  requireFile("/usr/share/mediawiki/api.php", "mediawiki", why);
  requireProgram("php", "php-cli", why);
  let port = await freePort();
  const env = { ...process.env, MW_TEST_ROOT: ROOT, MW_TEST_SMTP_PORT: String(options.smtpPort ?? "") };
  const run = (...args: string[]) =>
    execFileSync("bash", [SCRIPT, ...args], {
      encoding: "utf8",
      env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 180_000,
    });
  // A free port can be taken by another process before the wiki binds it: a failed start is
  // cleaned up and tried once more on another port.
  let started: string;
  try {
    started = run("start", String(port));
  } catch {
    run("destroy", String(port));
    port = await freePort();
    started = run("start", String(port));
  }
  const kv = Object.fromEntries(
    started
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return {
    baseUrl: kv.BASE_URL!,
    botUser: kv.BOT_USER!,
    botPassword: kv.BOT_PASSWORD!,
    seed(community) {
      const file = join(kv.DIR!, "community.json");
      writeFileSync(file, JSON.stringify(community));
      run("seed", String(port), file);
    },
    newBotPassword(app, grants) {
      const out = Object.fromEntries(
        run("bot", String(port), app, grants.join(","))
          .trim()
          .split("\n")
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
      return { user: out.BOT_USER!, password: out.BOT_PASSWORD! };
    },
    destroy: () => void run("destroy", String(port)),
  };
}
