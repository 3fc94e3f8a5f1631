/**
 * Notes by the wiki's own Special:EmailUser (action=emailuser, includes/api/ApiEmailUser.php): the
 * member gets an e-mail from the wiki, their address never leaves it. Only members who accept
 * e-mail from other users (list=users usprop=emailable: a confirmed address, and "Allow other
 * users to email me" on) can get one; the others are declined with the reason, before anything
 * is written.
 *
 * Exactly once, even with the store lost: a wiki keeps no record of the e-mails it sent that we
 * may read, so the adapter keeps one: a keyed hash of each note's marker (nothing a reader could
 * link to a member) in a JSON page of the acting user's own space,
 * `User:<user>/community-spotlight-notes.json`, which only that user (and interface
 * administrators) may edit (MediaWiki protects users' .json pages). The mark is saved before the
 * e-mail goes: a crash in between loses that note rather than sending it twice; a refusal from the
 * wiki takes the mark back.
 */
import { createHmac } from "node:crypto";
import { SpotlightError } from "../../src/errors.js";
import type { NoteContent, WriteContext } from "../types.js";
import type { MediaWikiContext } from "./context.js";
import { readPage } from "./publish.js";
import { users } from "./read.js";

interface Ledger {
  /** hash → when the note was marked (ISO). */
  sent: Record<string, string>;
}

const ledgerTitle = (d: MediaWikiContext) => `User:${d.client.user}/community-spotlight-notes.json`;

function noteHash(d: MediaWikiContext, marker: string): string {
  const key = d.options.identityKey ?? `${d.options.site.id}:${d.client.user}`;
  return createHmac("sha256", key).update(marker).digest("hex").slice(0, 32);
}

async function readLedger(d: MediaWikiContext) {
  const page = await readPage(d, ledgerTitle(d));
  let ledger: Ledger = { sent: {} };
  if (page.text.trim())
    try {
      const parsed = JSON.parse(page.text) as Partial<Ledger>;
      ledger = { sent: { ...(parsed.sent ?? {}) } };
    } catch {
      throw new SpotlightError(
        `[spotlight] [mediawiki] ${ledgerTitle(d)} is not JSON: someone edited it; restore it from its history`,
        "bad_response",
      );
    }
  return { page, ledger };
}

/** Mark (or unmark) a note in the ledger, reading it again after an edit conflict. */
async function mark(d: MediaWikiContext, hash: string, at: string | null): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { page, ledger } = await readLedger(d);
    if (at) ledger.sent[hash] = at;
    else delete ledger.sent[hash];
    try {
      await d.client.api(
        {
          action: "edit",
          title: ledgerTitle(d),
          text: `${JSON.stringify(ledger, null, 1)}\n`,
          summary: "Community Spotlight: notes sent (keyed hashes)",
          bot: true,
          contentmodel: "json",
          starttimestamp: page.curtimestamp,
          ...(page.basetimestamp ? { basetimestamp: page.basetimestamp } : { createonly: true }),
        },
        { post: true, token: "csrf" },
      );
      return;
    } catch (err) {
      if (attempt < 3 && /: (editconflict|articleexists)/.test((err as Error).message)) continue;
      throw err;
    }
  }
}

/**
 * Markdown as the plain text of an e-mail, for a note that comes without its plain-text version:
 * links written out, emphasis, tags and our markers gone.
 */
export function plainText(md: string): string {
  return md
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<\/?[a-z][^>]*>/gi, "")
    .replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, "$1 ($2)")
    .replace(/(\*\*|__)(.*?)\1/g, "$2")
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/^>\s?/gm, "")
    .replace(/\\([!-/:-@[-`{-~])/g, "$1")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export async function findNote(d: MediaWikiContext, note: NoteContent): Promise<{ ref: string } | null> {
  const hash = noteHash(d, note.marker);
  const { ledger } = await readLedger(d);
  return ledger.sent[hash] ? { ref: `email:${hash}` } : null;
}

export async function sendNote(
  d: MediaWikiContext,
  note: NoteContent,
  w: WriteContext,
): Promise<{ ref: string | null; declined?: string }> {
  const [u] = await users(d, [note.member.username]);
  if (!u?.emailable)
    return {
      ref: null,
      declined: "the member does not accept e-mail from other users on the wiki (Special:Preferences)",
    };
  const hash = noteHash(d, note.marker);
  w.actions.push({
    method: "POST",
    path: "api.php?action=emailuser",
    body: { target: note.member.username, subject: note.title },
    summary: `e-mail ${note.member.username} through the wiki: "${note.title}"`,
  });
  if (w.dryRun) return { ref: null };
  await mark(d, hash, d.now().toISOString());
  try {
    await d.client.api(
      {
        action: "emailuser",
        target: note.member.username,
        subject: note.title,
        text: note.text ?? plainText(note.body),
      },
      { post: true, token: "csrf" },
    );
  } catch (err) {
    // The wiki said no (not a lost answer): nothing went, so the mark goes too.
    if (!(err instanceof SpotlightError) || err.kind === "transient") throw err;
    await mark(d, hash, null);
    // The member stopped accepting e-mail since we asked (SpecialEmailUser::validateTarget).
    if (/: (noemail|nowikiemail)\b/.test(err.message))
      return { ref: null, declined: "the member does not accept e-mail from other users on the wiki" };
    // We may not send (SpecialEmailUser::getPermissionsError): the acting account needs an address.
    if (/: (mailnologin|permissiondenied)\b/.test(err.message))
      throw new SpotlightError(
        `${err.message}\n  the account in ${d.options.site.credentials.apiUsernameEnv} sends the notes: give it a confirmed e-mail address, and its bot password the grant "Send email to other users"`,
        "auth",
        { cause: err },
      );
    throw err;
  }
  return { ref: `email:${hash}` };
}
