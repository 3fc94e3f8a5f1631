/**
 * A real local Redis Cluster for the tests: six Debian redis-server processes (three masters, a
 * replica each) on free ports, joined with `redis-cli --cluster create`. A master can be killed,
 * and its replica takes over after the node timeout, as in production.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { requireProgram } from "./programs.js";

const exec = promisify(execFile);

export interface TestCluster {
  /** redis+cluster://127.0.0.1:p1,…: the URL the product takes for a cluster. */
  url: string;
  ports: number[];
  /** The ports of the current masters. */
  masters(): Promise<number[]>;
  /** SIGKILL the node on this port (a master: its replica is promoted within seconds). */
  kill(port: number): void;
  /** Until every slot is served by a master that answers (and none that was killed). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const NODE_TIMEOUT_MS = 1500;

async function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** Six ports whose cluster bus ports (port + 10000) are free too. */
async function ports(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let tries = 0; out.length < n && tries < 500; tries++) {
    const p = 20000 + Math.floor(Math.random() * 30000);
    if (out.includes(p) || out.includes(p + 10000) || out.includes(p - 10000)) continue;
    if ((await free(p)) && (await free(p + 10000))) out.push(p);
  }
  if (out.length < n) throw new Error("no free ports for a Redis Cluster");
  return out;
}

export async function startCluster(): Promise<TestCluster> {
  const server = requireProgram("redis-server", "redis-server", "the Redis Cluster tests start their own nodes");
  const cli = requireProgram("redis-cli", "redis-tools", "the Redis Cluster tests join their nodes with it");
  const dir = mkdtempSync(join(tmpdir(), "spotlight-cluster-"));
  const list = await ports(6);
  const procs = new Map<number, ChildProcess>();
  // Redis keeps the machine's real clock under faketime (it does not start under libfaketime).
  const { LD_PRELOAD: _preload, FAKETIME: _faketime, ...env } = process.env;
  for (const port of list) {
    const proc = spawn(
      server,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        join(dir, `nodes-${port}.conf`),
        "--cluster-node-timeout",
        String(NODE_TIMEOUT_MS),
        "--dir",
        dir,
        "--dbfilename",
        `dump-${port}.rdb`,
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfilename",
        `aof-${port}`,
        "--appendfsync",
        "always",
        "--loglevel",
        "warning",
      ],
      { stdio: "ignore", env },
    );
    procs.set(port, proc);
  }
  const redisCli = (...args: string[]) => exec(cli, args, { env, timeout: 30_000 });
  for (const port of list)
    for (let i = 0; ; i++) {
      try {
        if ((await redisCli("-p", String(port), "ping")).stdout.trim() === "PONG") break;
      } catch {}
      if (i > 100) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  await redisCli(
    "--cluster",
    "create",
    ...list.map((p) => `127.0.0.1:${p}`),
    "--cluster-replicas",
    "1",
    "--cluster-yes",
  );

  const alive = () => list.filter((p) => procs.get(p)!.exitCode === null && procs.get(p)!.signalCode === null);
  const info = async (port: number, what: string) => (await redisCli("-p", String(port), "cluster", what)).stdout;
  const cluster: TestCluster = {
    url: `redis+cluster://${list.map((p) => `127.0.0.1:${p}`).join(",")}`,
    ports: list,
    masters: async () => {
      const nodes = await info(alive()[0]!, "nodes");
      return nodes
        .split("\n")
        .filter((l) => /\bmaster\b/.test(l) && !/\bfail\b/.test(l) && / connected /.test(` ${l} `))
        .map((l) => Number(/127\.0\.0\.1:(\d+)/.exec(l)?.[1]))
        .filter((p) => list.includes(p));
    },
    kill: (port) => {
      procs.get(port)?.kill("SIGKILL");
    },
    waitHealthy: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          const states = await Promise.all(alive().map((p) => info(p, "info")));
          const live = alive();
          // Right after a kill the others still think all is well: wait for them to see it.
          const masters = await cluster.masters();
          if (
            masters.length === 3 &&
            masters.every((p) => live.includes(p)) &&
            states.every((s) => /cluster_state:ok/.test(s) && /cluster_slots_ok:16384/.test(s))
          )
            return;
        } catch {}
        if (Date.now() > deadline) throw new Error("the Redis Cluster did not become healthy");
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      await Promise.all(
        [...procs.values()].map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.exitCode !== null || p.signalCode !== null) return resolve();
              p.once("exit", () => resolve());
              p.kill("SIGTERM");
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.waitHealthy();
  // A replica that never finished its first sync will not take over (its data counts as too old).
  for (const port of list)
    for (let i = 0; ; i++) {
      const repl = (await redisCli("-p", String(port), "info", "replication")).stdout;
      if (/role:master/.test(repl) || /master_link_status:up/.test(repl)) break;
      if (i > 200) throw new Error(`the replica on ${port} did not sync with its master`);
      await new Promise((r) => setTimeout(r, 50));
    }
  return cluster;
}
