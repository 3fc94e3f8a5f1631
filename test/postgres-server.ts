/**
 * Tests start their own Debian PostgreSQL on a free port, in a temporary directory: the SQL we send
 * to Discourse's Data Explorer runs on a real PostgreSQL. PostgreSQL refuses to run as root, so
 * under root (CI) the server runs as Debian's `postgres` account, which the package creates.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MissingProgramError } from "./programs.js";
import { freePort } from "./redis-server.js";

export interface TestPostgres {
  /** postgres://… of a database the tests may fill. */
  url: string;
  stop(): Promise<void>;
}

/** Debian installs each major version's programs under /usr/lib/postgresql/<major>/bin. */
function binDir(): string {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors.length)
    throw new MissingProgramError("initdb", "postgresql", "the Data Explorer SQL runs on a real PostgreSQL");
  return join(root, majors[0]!, "bin");
}

/** Who runs the server: ourselves, or Debian's postgres account when we are root. */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  const uid = id("-u");
  const gid = id("-g");
  if (!Number.isInteger(uid) || uid <= 0)
    throw new MissingProgramError("the postgres account", "postgresql", "PostgreSQL does not run as root");
  return { uid, gid };
}

async function waitForServer(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const { default: pg } = await import("pg");
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`postgres exited with ${proc.exitCode}: ${log()}`);
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      return;
    } catch {
      await c.end().catch(() => {});
    }
    if (Date.now() > deadline) throw new Error(`postgres did not start: ${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "spotlight-pg-"));
  const data = join(dir, "data");
  const owner = runAs();
  if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid!);
  // PostgreSQL keeps the machine's real clock when the tests run under faketime: what is tested
  // is the SQL's arithmetic on the times it is given.
  const { LD_PRELOAD: _preload, FAKETIME: _faketime, ...env } = process.env;
  const init = spawnSync(
    join(bin, "initdb"),
    ["-D", data, "-U", "spotlight", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    { ...owner, env, encoding: "utf8" },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  let stderr = "";
  const proc = spawn(
    join(bin, "postgres"),
    [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "TimeZone=UTC",
    ],
    { ...owner, env, stdio: ["ignore", "ignore", "pipe"] },
  );
  proc.stderr?.on("data", (d) => {
    stderr = (stderr + String(d)).slice(-4000);
  });
  const url = `postgres://spotlight@127.0.0.1:${port}/postgres`;
  await waitForServer(url, proc, () => stderr);
  return {
    url,
    stop: async () => {
      if (proc.exitCode === null)
        await new Promise<void>((resolve) => {
          proc.once("exit", () => resolve());
          proc.kill("SIGINT"); // fast shutdown
        });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
