/** Every command's help: \`spotlight help\` and \`spotlight <command> --help\` print these. */
import { manifest } from "../manifest.js";

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
  admin-hash  Make the admin dashboard's password hash (reads the password from stdin)
  optout   Opt a member out (never featured, noted or named again)
  forget   Delete everything stored about a member; keep only their opt-out
  help     Show help for a command

Run 'spotlight <command> --help' for a command's options.`,
  demo: `Usage: spotlight demo [options]

Starts a bundled simulated site (a seeded sample community, of the first platform under
adapters/ that has one) on a free port, runs the period pipeline through that platform's
adapter with the embedded SQLite store, writes the results and publishes them to it.

Options:
  --out DIR        Where to write (default ./spotlight-out)
  --period YYYY-MM The month to rank (default: the last complete month)
  --now TIME       Pretend it is this instant (ISO 8601, e.g. 2027-01-01T09:00:00Z): the sample
                   community ends that day and "the last complete month" is counted from it
  --timezone TZ    The community's time zone, in which months start (default UTC)
  --seed N         Sample community seed (default 42)
  --members N      Sample community size (default 500)
  --posts N        Sample community posts over 6 months (default 20000)
  --no-publish     Only prepare the plan; do not publish to the simulator
  -h, --help       Show this help`,
  run: `Usage: spotlight run --config FILE [options]

Reads each configured site, ranks the period, saves the plan in the store and writes the rendered
outputs. In review mode (the default) nothing public happens: an admin approves with
'spotlight approve'. In auto mode (review.mode "auto" or --auto) the plan is published straight away.

Options:
  --config FILE    Settings file (JSON, validated against plugin-manifest.json)
  --period YYYY-MM The month to rank (default: the last complete month in the configured timezone)
  --out DIR        Where to write (default ./spotlight-out; one folder per site when several)
  --site ID        Only this site
  --auto           Publish without waiting for approval
  --dry-run        With --auto: print every write that publishing would make, and make none
  --accept-low-activity
                   Plan a month whose active members fell below a quarter of the month before
                   (by default that stops the run: a read that lost a permission looks the same)
  -h, --help       Show this help`,
  approve: `Usage: spotlight approve --config FILE --period YYYY-MM [options]

Approves the prepared plan and publishes it: updates the spotlight topic, sends each featured
member one appreciation note (never twice, even after a crash), and fills the newsletter draft.
Safe to run again: what is already done is left alone.

Options:
  --config FILE    Settings file
  --period YYYY-MM The plan's month
  --site ID        Only this site
  --dry-run        Print every write it would make, and make none
  -h, --help       Show this help`,
  serve: `Usage: spotlight serve --config FILE [--port N] [--host ADDR]

Serves, at server.publicUrl: the spotlight widget (/sites/ID/spotlight.html, .json, embed.js),
the newsletter RSS (/sites/ID/newsletter.rss), the opt-out pages, the platforms' signed
webhooks (/webhooks/PLATFORM), /healthz, /readyz and /metrics. SIGTERM stops it gracefully.

Options:
  --config FILE    Settings file
  --port N         Port (default server.port)
  --host ADDR      Address (default server.host)
  -h, --help       Show this help`,
  worker: `Usage: spotlight worker --config FILE

Runs the jobs of every configured site from the shared Redis (store.kind "redis"): the daily sync,
the monthly period run (prepare; publish when approved or in auto mode) and one job per note.
Start as many as you like, on any machines: each unit of work happens once. SIGTERM lets running
jobs finish, then exits.

Options:
  --config FILE    Settings file
  -h, --help       Show this help`,
  enqueue: `Usage: spotlight enqueue --config FILE --site ID (--period YYYY-MM | --sync)

Queues a period run for YYYY-MM (prepare, and publish when approved or in auto mode) or a sync,
for the workers to pick up. Enqueueing the same period twice runs it once.

Options:
  --config FILE    Settings file
  --site ID        The site
  --period YYYY-MM A period run
  --sync           A sync of the current month
  -h, --help       Show this help`,
  "admin-hash": `Usage: spotlight admin-hash < password.txt

Reads a password on standard input and prints its scrypt hash. Put the hash in the environment
variable admin.passwordHashEnv names (default SPOTLIGHT_ADMIN_PASSWORD_HASH); the dashboard at
/admin stays off until it is set. There is no default password.`,
  optout: `Usage: spotlight optout --config FILE --site ID --member USERNAME_OR_ID

Opts a member out: from now on they are never featured, sent a note or named.

Options:
  --config FILE    Settings file
  --site ID        The site
  --member NAME    Their username or platform id
  -h, --help       Show this help`,
  forget: `Usage: spotlight forget --config FILE --site ID --member USERNAME_OR_ID

Deletes everything stored about a member (activity, profile, feature history) and opts them out;
only the opt-out remains, as a keyed hash.

Options:
  --config FILE    Settings file
  --site ID        The site
  --member NAME    Their username or platform id
  -h, --help       Show this help`,
};
