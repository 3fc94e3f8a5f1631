/**
 * spotlight optout and spotlight forget: a member's wishes, kept in the store and carried to the
 * live spotlight on the site.
 */

import type { Adapter } from "../../adapters/types.js";
import { UsageError } from "../errors.js";
import { forgetUnanswered } from "../newcomers.js";
import { deploymentSecret, optOutKey } from "../optout.js";
import { forgetReadCursors } from "../pipeline.js";
import { republishLive } from "../publish/index.js";
import { forgetSoleContacts } from "../ranking.js";
import { openConfig, parse } from "./args.js";
import { type CliIO, makeAdapter } from "./site.js";
import { cliLogger } from "./warnings.js";

export const optoutHelp = `Usage: spotlight optout --config FILE --site ID --member USERNAME_OR_ID

Opts a member out: from now on they are never featured, sent a note or named.

Options:
  --config FILE    Settings file
  --site ID        The site
  --member NAME    Their username or platform id
  -h, --help       Show this help`;

export const forgetHelp = `Usage: spotlight forget --config FILE --site ID --member USERNAME_OR_ID

Deletes everything stored about a member (activity, profile, feature history) and opts them out;
only the opt-out remains, as a keyed hash.

Options:
  --config FILE    Settings file
  --site ID        The site
  --member NAME    Their username or platform id
  -h, --help       Show this help`;

export async function memberCommand(args: string[], which: "optout" | "forget", io: CliIO) {
  const { values } = parse(args, { config: { type: "string" }, site: { type: "string" }, member: { type: "string" } });
  if (values.help) return void io.stdout.write(`${which === "optout" ? optoutHelp : forgetHelp}\n`);
  if (!values.site) throw new UsageError("--site ID is required");
  if (!values.member) throw new UsageError("--member USERNAME_OR_ID is required");
  const { settings, store, sites, platforms } = await openConfig(io, values.config, values.site, { checkEnv: false });
  try {
    const site = sites[0]!;
    const wanted = values.member.toLowerCase();
    const members = await store.members(site.id);
    const m = members.get(values.member) ?? [...members.values()].find((x) => x.username.toLowerCase() === wanted);
    if (!m && !/^-?\d+$/.test(values.member))
      throw new UsageError(`--member: no member "${values.member}" is known for ${site.id} yet; use their numeric id`);
    const id = m?.id ?? values.member;
    const secret = await deploymentSecret(store, io.env);
    await store.addOptOut(site.id, optOutKey(secret, site.id, id));
    if (which === "forget") {
      await store.forgetMember(site.id, id);
      await forgetSoleContacts(store, site.id, id);
      await forgetUnanswered(store, site.id, id);
      await forgetReadCursors(store, site.id, io.now(), settings.timezone);
    }
    io.stdout.write(
      which === "forget"
        ? `Forgot member ${id} on ${site.id}; only their opt-out remains.\n`
        : `Member ${id} on ${site.id} is opted out.\n`,
    );
    // The platform's copies of the live spotlight stop naming them too.
    const log = cliLogger({ env: io.env, stderr: io.stderr });
    let adapter: Adapter;
    try {
      adapter = makeAdapter(platforms, settings, site, io.env, log.logger, io.now, secret);
    } catch (err) {
      io.stdout.write(
        `The live spotlight on the site still names them until it is published again (${(err as Error).message}).\n`,
      );
      return;
    }
    try {
      const report = await republishLive({
        settings,
        store,
        adapter,
        site,
        logger: log.logger,
        env: io.env,
        now: io.now,
      });
      io.stdout.write(
        report
          ? `Published the ${report.period} spotlight again without them.\n`
          : "Nothing is published on the site yet.\n",
      );
    } catch (err) {
      io.stdout.write(
        `Recorded, but the live spotlight could not be published again yet: ${(err as Error).message}\nThe next publish leaves them out; 'spotlight serve' already does.\n`,
      );
    }
  } finally {
    await store.close();
  }
}
