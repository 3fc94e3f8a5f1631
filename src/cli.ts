#!/usr/bin/env node
/**
 * spotlight: the command line (`spotlight help` lists the commands). This file hands each command
 * its clock, streams and environment; src/cli/ holds one file a command, its help beside it, and
 * what the commands share (parsing, a site's turn, progress, summaries, warnings in words).
 * Exit codes: 0 done, 1 the run failed (platform, network), 2 bad usage or configuration.
 */
import { resolve } from "node:path";
import { adminHash } from "./cli/admin-hash.js";
import { approve } from "./cli/approve.js";
import { demo } from "./cli/demo.js";
import { enqueue } from "./cli/enqueue.js";
import { HELP } from "./cli/help.js";
import { memberCommand } from "./cli/member.js";
import { retry } from "./cli/retry.js";
import { run } from "./cli/run.js";
import { serve } from "./cli/serve.js";
import type { CliIO } from "./cli/site.js";
import { worker } from "./cli/worker.js";
import { systemClock } from "./clock.js";
import { ConfigError, SpotlightError, UsageError } from "./errors.js";
import { manifest } from "./manifest.js";

/** The command names, as `spotlight help` lists them. */
export const COMMANDS = [
  "demo",
  "run",
  "approve",
  "serve",
  "worker",
  "enqueue",
  "retry",
  "admin-hash",
  "optout",
  "forget",
  "help",
] as const;

/** Runs one command. `io` is everything it may read or write of the outside world. */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, now: systemClock },
): Promise<number> {
  const [command, ...rest] = argv;
  const say = (text: string) => void io.stdout.write(`${text}\n`);
  try {
    switch (command) {
      case undefined:
      case "-h":
      case "--help":
        say(HELP.main!);
        return command === undefined ? 2 : 0;
      case "help":
        say(HELP[rest[0] ?? "main"] ?? HELP.main!);
        return 0;
      case "--version":
        say(manifest.version);
        return 0;
      case "demo":
        await demo(rest, io);
        return 0;
      case "run":
        return (await run(rest, io)) ?? 0;
      case "approve":
        await approve(rest, io);
        return 0;
      case "serve":
        await serve(rest, io);
        return 0;
      case "worker":
        await worker(rest, io);
        return 0;
      case "enqueue":
        await enqueue(rest, io);
        return 0;
      case "retry":
        await retry(rest, io);
        return 0;
      case "admin-hash":
        await adminHash(rest, io);
        return 0;
      case "optout":
      case "forget":
        await memberCommand(rest, command, io);
        return 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: ${COMMANDS.join(", ")})`);
    }
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof UsageError ||
      (err instanceof SpotlightError && err.kind === "config")
    ) {
      io.stderr.write(`spotlight: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`spotlight: ${(err as Error).message}\n`);
    if (io.env.SPOTLIGHT_DEBUG) io.stderr.write(`${(err as Error).stack ?? ""}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
