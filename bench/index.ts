/**
 * npm run bench: how fast and how big, each figure beside a reference measured in the same run
 * (the machine is shared and noisy, so ratios are what to compare). Prints one JSON object per
 * benchmark and writes docs/benchmarks.md. Never part of npm test.
 *
 *   BENCH_SCALE=small   10k members / 500k events only (default: also 100k members / 5M events)
 *   BENCH_ONLY=stores,requests,http   a subset, printed only (docs/benchmarks.md is left alone)
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { MissingProgramError, requireProgram } from "../test/programs.js";
import { benchWidgetAndWebhooks } from "./http.js";
import { benchRequests } from "./requests.js";
import { report, results } from "./shared.js";
import { benchStores } from "./stores.js";

function markdown(): string {
  const rows = results.map(
    (r) =>
      `| ${r.benchmark} | \`${JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => k !== "benchmark")))}\` |`,
  );
  return `# Benchmarks

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB,
Node ${process.version}, Debian's redis-server. The machine is shared and noisy: compare each figure with
the reference measured in the same run (redis-benchmark's pipelined ZINCRBY of a random one of the
run's members, and pipelined SADD of new ids, for ingestion; a bare node:http server returning the
same bytes for the widget), not with other runs. Ingestion hands the store 500,000 activities a call,
as \`spotlight run\` hands it a period's.

Reproduce: \`npm ci && npm run bench\` (\`BENCH_SCALE=small\` skips the 100k-member / 5M-event run).

| benchmark | figures |
|---|---|
${rows.join("\n")}

What each change did to these figures, measured before and after on this machine: [history](benchmark-history.md).
`;
}

const GROUPS: Record<string, () => Promise<void>> = {
  http: benchWidgetAndWebhooks,
  requests: benchRequests,
  stores: benchStores,
};

/** One group in a child process of its own: each starts with a small heap and no one else's garbage. */
function runGroup(group: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!], {
      env: { ...process.env, BENCH_ONLY: group },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      for (let i = buffered.indexOf("\n"); i >= 0; i = buffered.indexOf("\n")) {
        const line = buffered.slice(0, i).trim();
        buffered = buffered.slice(i + 1);
        if (!line.startsWith("{")) continue;
        report(JSON.parse(line) as Record<string, unknown>);
      }
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`bench group ${group} exited with ${code}`)),
    );
  });
}

async function main() {
  const why = "the store benchmarks run a Redis server and redis-benchmark's reference";
  for (const program of ["redis-server", "redis-benchmark", "redis-cli"]) requireProgram(program, "redis-server", why);
  // BENCH_ONLY=stores,requests,http runs those groups here and only prints; otherwise each group
  // runs in its own process and the figures go to docs/benchmarks.md.
  const only = process.env.BENCH_ONLY?.split(",");
  if (only) {
    for (const g of only) await GROUPS[g]!();
    return;
  }
  for (const g of ["http", "requests", "stores"]) await runGroup(g);
  mkdirSync(join(import.meta.dirname, "..", "docs"), { recursive: true });
  writeFileSync(join(import.meta.dirname, "..", "docs", "benchmarks.md"), markdown());
}

main().then(
  () => process.exit(0),
  (err) => {
    // A missing program is one line naming its package; anything else keeps its stack.
    console.error(err instanceof MissingProgramError ? `npm run bench: ${err.message}` : err);
    process.exit(1);
  },
);
