/** Tests start their own Debian redis-server on a free port, in a temporary directory. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireProgram } from "./programs.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /**
   * Stop gracefully (SIGTERM: with appendonly the data is on disk) and start again on the same port,
   * after `downMs` (default at once).
   */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function waitForPing(port: number, proc: ChildProcess): Promise<void> {
  const { Redis } = await import("ioredis");
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
    const r = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    r.on("error", () => {});
    try {
      await r.connect();
      if ((await r.ping()) === "PONG") {
        r.disconnect();
        return;
      }
    } catch {
      r.disconnect();
    }
    if (Date.now() > deadline) throw new Error("redis-server did not start");
    await new Promise((res) => setTimeout(res, 50));
  }
}

export async function startRedis(options: { appendonly?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "spotlight-redis-"));
  const bin = requireProgram(
    process.env.REDIS_SERVER ?? "redis-server",
    "redis-server",
    "the Redis tests start their own server",
  );
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    options.appendonly ? "yes" : "no",
    "--appendfsync",
    "always",
    "--loglevel",
    "warning",
  ];
  let proc: ChildProcess;
  const start = async () => {
    // Redis keeps the machine's real clock when the tests run under faketime (it does not start
    // under libfaketime); what is tested is our code's notion of "now".
    const { LD_PRELOAD: _preload, FAKETIME: _faketime, ...env } = process.env;
    proc = spawn(bin, args, { stdio: "ignore", env });
    await waitForPing(port, proc);
  };
  const stopProc = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async (downMs = 0) => {
      await stopProc();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    stop: async () => {
      await stopProc();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
