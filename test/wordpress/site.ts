/**
 * A real WordPress for the tests (Debian's wordpress package with a private MariaDB and php -S),
 * started by scripts/wordpress-test-site.sh on a free port and destroyed afterwards.
 */
import { execFileSync } from "node:child_process";
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
  appPassword: string;
  destroy(): void;
  /** Authenticated REST call (test setup and assertions). */
  rest<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
}

export async function startWordPress(): Promise<WordPressSite> {
  const why = "the WordPress tests run a real site";
  requireFile("/usr/share/wordpress/wp-settings.php", "wordpress", why);
  requireProgram("php", "php-cli", why);
  requireProgram("mariadb-install-db", "mariadb-server", why);
  const port = await freePort();
  const caps = NEEDED_CAPABILITIES.map(([c]) => c).join(",");
  const out = execFileSync("bash", [SCRIPT, "start", String(port)], {
    encoding: "utf8",
    env: { ...process.env, WP_TEST_ROOT: ROOT, WPT_WORKER_CAPS: caps },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 180_000,
  });
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
    appPassword: kv.WP_APP_PASSWORD!,
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
