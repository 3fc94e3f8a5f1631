/**
 * A real WordPress for the tests (Debian's wordpress package with a private MariaDB and php -S),
 * started by scripts/wordpress-test-site.sh on a free port and destroyed afterwards.
 */
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NEEDED_CAPABILITIES } from "../../adapters/wordpress/index.js";
import { requireFile, requireProgram } from "../programs.js";
import { freePort } from "../redis-server.js";

const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "wordpress-test-site.sh");
const ROOT = "/tmp/spw"; // short: MariaDB's socket path must stay under ~107 bytes

export interface WordPressSite {
  port: number;
  baseUrl: string;
  user: string;
  /** The admin's login password (wp-login.php), for tests that use wp-admin as a person does. */
  adminPassword: string;
  appPassword: string;
  destroy(): void;
  /** Where the site keeps its files (wp-content, logs). */
  stateDir: string;
  /** Runs PHP inside WordPress (wp-load.php loaded) and returns what it printed. */
  php(code: string): string;
  /** Authenticated REST call (test setup and assertions). */
  rest<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
}

export async function startWordPress(): Promise<WordPressSite> {
  const why = "the WordPress tests run a real site";
  requireFile("/usr/share/wordpress/wp-settings.php", "wordpress", why);
  requireProgram("php", "php-cli", why);
  requireProgram("mariadb-install-db", "mariadb-server", why);
  const caps = NEEDED_CAPABILITIES.map(([c]) => c).join(",");
  const env = { ...process.env, WP_TEST_ROOT: ROOT, WPT_WORKER_CAPS: caps };
  // A free port can be taken by another process before the site binds it (other test files start
  // servers too): a start that fails is cleaned up and tried once more on another port.
  const start = (p: number) =>
    execFileSync("bash", [SCRIPT, "start", String(p)], {
      encoding: "utf8",
      env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 180_000,
    });
  let port = await freePort();
  let out: string;
  try {
    out = start(port);
  } catch {
    execFileSync("bash", [SCRIPT, "destroy", String(port)], { env, stdio: "ignore" });
    port = await freePort();
    out = start(port);
  }
  const kv = Object.fromEntries(
    out
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const auth = `Basic ${Buffer.from(`${kv.WP_ADMIN_USER}:${kv.WP_APP_PASSWORD}`).toString("base64")}`;
  return {
    port,
    baseUrl: kv.WP_BASE_URL!,
    user: kv.WP_ADMIN_USER!,
    adminPassword: kv.WP_ADMIN_PASSWORD!,
    appPassword: kv.WP_APP_PASSWORD!,
    stateDir: kv.WP_STATE_DIR!,
    php(code) {
      const file = join(kv.WP_STATE_DIR!, `test-${process.pid}-${Date.now()}.php`);
      writeFileSync(
        file,
        `<?php\nrequire __DIR__ . '/bootstrap.php';\nrequire '/usr/share/wordpress/wp-load.php';\n${code}\n`,
      );
      try {
        return execFileSync("php", [file], { encoding: "utf8" });
      } finally {
        rmSync(file, { force: true });
      }
    },
    destroy: () =>
      void execFileSync("bash", [SCRIPT, "destroy", String(port)], {
        env: { ...process.env, WP_TEST_ROOT: ROOT },
        stdio: "ignore",
      }),
    rest: async <T>(path: string, init: { method?: string; body?: unknown } = {}) => {
      const res = await fetch(`${kv.WP_BASE_URL}/wp-json/${path.replace(/^\//, "")}`, {
        method: init.method ?? "GET",
        headers: { Authorization: auth, "Content-Type": "application/json" },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
  };
}
