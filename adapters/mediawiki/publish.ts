/**
 * Writing to the wiki: our section between markers on the homepage (the Main Page unless
 * `homepagePage` names another) and on a newsletter page per period, edited in place with an edit
 * summary and everything outside the markers left as the wiki's editors wrote it. The page is
 * found by its title, so a lost store finds it again; an unchanged section is not saved again.
 *
 * action=edit (includes/api/ApiEditPage.php) with `basetimestamp` (the revision we read) and
 * `starttimestamp`: an edit made in between is an `editconflict`, and we read the page again.
 */
import { replaceSection } from "../../src/sections.js";
import type { HomepageContent, NewsletterContent, Published, WriteContext } from "../types.js";
import type { MediaWikiContext } from "./context.js";
import { pageUrl, siteInfo } from "./read.js";
import { htmlToWikitext } from "./wikitext.js";

interface PageText {
  text: string;
  /** The revision read, for edit conflicts; null when the page does not exist yet. */
  basetimestamp: string | null;
  curtimestamp: string;
}

export async function readPage(d: MediaWikiContext, title: string): Promise<PageText> {
  const r = await d.client.api<{
    curtimestamp: string;
    query: {
      pages: Array<{
        missing?: boolean;
        revisions?: Array<{ timestamp: string; slots: { main: { content: string } } }>;
      }>;
    };
  }>({
    action: "query",
    prop: "revisions",
    titles: title,
    rvprop: "content|timestamp",
    rvslots: "main",
    curtimestamp: true,
  });
  const rev = r.query.pages[0]?.revisions?.[0];
  return {
    text: rev?.slots.main.content ?? "",
    basetimestamp: rev?.timestamp ?? null,
    curtimestamp: r.curtimestamp,
  };
}

/** Our section on a page, saved only when it changes; one retry after an edit conflict. */
export async function putSection(
  d: MediaWikiContext,
  title: string,
  section: string,
  summary: string,
  w: WriteContext,
): Promise<Published> {
  const info = (await siteInfo(d)).general;
  const url = pageUrl(info, title);
  for (let attempt = 1; ; attempt++) {
    const page = await readPage(d, title);
    const text = replaceSection(page.text, section);
    if (text === page.text) return { url, changed: false };
    w.actions.push({
      method: "POST",
      path: "api.php?action=edit",
      body: { title },
      summary: `${page.basetimestamp ? "update our section of" : "create"} the wiki page "${title}"`,
    });
    if (w.dryRun) return { url, changed: true };
    try {
      await d.client.api(
        {
          action: "edit",
          title,
          text,
          summary,
          bot: true,
          starttimestamp: page.curtimestamp,
          ...(page.basetimestamp ? { basetimestamp: page.basetimestamp, nocreate: true } : { createonly: true }),
        },
        { post: true, token: "csrf" },
      );
      return { url, changed: true };
    } catch (err) {
      // Someone saved the page between our read and our edit: read it again, once.
      if (attempt < 2 && /: (editconflict|articleexists|missingtitle)/.test((err as Error).message)) continue;
      throw err;
    }
  }
}

export async function publishHomepage(
  d: MediaWikiContext,
  content: HomepageContent,
  w: WriteContext,
): Promise<Published> {
  const title = d.site.homepagePage || (await siteInfo(d)).general.mainpage;
  return putSection(d, title, htmlToWikitext(content.html), content.editReason, w);
}

/** A title MediaWiki accepts: none of `#<>[]|{}`, no `/` runs or leading colon. */
export function safeTitle(s: string): string {
  return s
    .replace(/[#<>[\]|{}_]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
}

export async function updateNewsletter(
  d: MediaWikiContext,
  content: NewsletterContent,
  w: WriteContext,
): Promise<Published> {
  const title = `${d.site.newsletterPage}/${safeTitle(content.title)}`;
  return putSection(d, title, htmlToWikitext(content.html), `Community Spotlight: ${safeTitle(content.title)}`, w);
}
