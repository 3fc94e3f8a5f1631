/**
 * `spotlight help`: the list of commands. Each command's own help is beside it, in its file.
 */
import { manifest } from "../manifest.js";
import { help as adminHash } from "./admin-hash.js";
import { help as approve } from "./approve.js";
import { help as demo } from "./demo.js";
import { help as enqueue } from "./enqueue.js";
import { forgetHelp as forget, optoutHelp as optout } from "./member.js";
import { help as retry } from "./retry.js";
import { help as run } from "./run.js";
import { help as serve } from "./serve.js";
import { help as worker } from "./worker.js";

export const HELP: Record<string, string> = {
  main: `spotlight ${manifest.version}: recognise a community's most helpful members

Usage: spotlight <command> [options]

Commands:
  demo     Run the whole pipeline against a bundled simulated site
  run      Prepare a period's plan for the sites in a config file (and publish it in auto mode)
  approve  Publish a prepared plan: homepage, appreciation notes, newsletter
  serve    Serve the widget, RSS, opt-out pages, webhooks, health and metrics
  worker   Run the scheduled jobs (BullMQ on Redis): any number, on any number of machines
  enqueue  Queue a sync or a period run now (worker mode)
  retry    Run again every period run and sync that failed for good (worker mode)
  admin-hash  Make the admin dashboard's password hash (reads the password from stdin)
  optout   Opt a member out (never featured, noted or named again)
  forget   Delete everything stored about a member; keep only their opt-out
  help     Show help for a command

Run 'spotlight <command> --help' for a command's options.`,
  demo,
  run,
  approve,
  serve,
  worker,
  enqueue,
  retry,
  "admin-hash": adminHash,
  optout,
  forget,
};
