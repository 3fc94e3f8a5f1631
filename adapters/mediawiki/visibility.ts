/**
 * The last look before anything public cites a page: whether someone who is not logged in may
 * read it, asked of the wiki as such a reader (no session). A private wiki ($wgGroupPermissions
 * ['*']['read'] false) refuses the whole API to them (readapidenied): nothing is cited; a page an
 * extension keeps from readers (Lockdown, for example) reports `read: false` to prop=info's
 * `intestactions=read` (includes/api/ApiQueryInfo.php). 50 titles a request.
 */
import type { Evidence } from "../../src/domain.js";
import { SpotlightError } from "../../src/errors.js";
import type { MediaWikiContext } from "./context.js";

interface InfoPage {
  title: string;
  missing?: boolean;
  invalid?: boolean;
  actions?: { read?: boolean };
}

export async function confirmPublic(d: MediaWikiContext, evidence: readonly Evidence[]): Promise<Set<string>> {
  const titles = [...new Set(evidence.map((e) => e.title).filter((t): t is string => !!t))];
  const readable = new Set<string>();
  for (let i = 0; i < titles.length; i += 50) {
    let r: { query: { pages?: InfoPage[]; normalized?: Array<{ from: string; to: string }> } };
    try {
      r = await d.client.anonymous({
        action: "query",
        prop: "info",
        titles: titles.slice(i, i + 50).join("|"),
        intestactions: "read",
      });
    } catch (err) {
      if (err instanceof SpotlightError && /: readapidenied\b/.test(err.message)) return new Set();
      throw err;
    }
    const asked = new Map((r.query.normalized ?? []).map((n) => [n.to, n.from]));
    for (const p of r.query.pages ?? [])
      if (!p.missing && !p.invalid && p.actions?.read === true) readable.add(asked.get(p.title) ?? p.title);
  }
  return new Set(evidence.filter((e) => e.title && readable.has(e.title)).map((e) => e.url));
}
