/**
 * WordPress publishing: the homepage spotlight and the "New here?" welcome as synced patterns
 * (reusable blocks, wp_block) created once and updated in place, the spotlight optionally placed
 * into a page once; the newsletter section
 * in the period's draft post, between markers inside a Custom HTML block, the rest untouched.
 * Creations record an intent first and a restart finds the created item by its title.
 */
import { createHash } from "node:crypto";
import { SpotlightError } from "../../src/errors.js";
import { replaceSection, SECTION_START } from "../../src/sections.js";
import type { HomepageContent, NewsletterContent, Published, WelcomeContent, WriteContext } from "../types.js";
import type { WordPressContext } from "./context.js";
import type { WpBlock, WpPost } from "./raw.js";

export const HOMEPAGE_MARKER = "<!-- community-spotlight:homepage -->";
export const WELCOME_MARKER = "<!-- community-spotlight:welcome -->";

async function write<T>(
  d: WordPressContext,
  w: WriteContext,
  method: string,
  path: string,
  body: unknown,
  summary: string,
): Promise<T | null> {
  w.actions.push({ method, path, body, summary });
  if (w.dryRun) return null;
  return d.http.request<T>(method, path, { body });
}

async function getOrNull<T>(d: WordPressContext, path: string, query: Record<string, string>): Promise<T | null> {
  try {
    return await d.http.get<T>(path, query);
  } catch (err) {
    if (err instanceof SpotlightError && err.kind === "not_found") return null;
    throw err;
  }
}

/** The spotlight as block markup: one Custom HTML block holding our (escaped) fragment. */
export function htmlBlock(html: string): string {
  return `<!-- wp:html -->\n${html.trim()}\n<!-- /wp:html -->`;
}

/** What we meant to send, as a digest kept with it: WordPress may filter what it stores (kses). */
const digestOf = (text: string) => createHash("sha256").update(text).digest("base64url");

/** Where a synced pattern of ours is kept in the adapter state, and the marker its content starts with. */
interface PatternPlace {
  key: string;
  marker: string;
}

const HOMEPAGE: PatternPlace = { key: "homepage:block", marker: HOMEPAGE_MARKER };
const WELCOME: PatternPlace = { key: "pattern:welcome", marker: WELCOME_MARKER };

/**
 * One synced pattern of ours, created once (found again by its title after a crash, or with a
 * lost or second store) and updated in place when its content changes. Its id, and whether this
 * call wrote anything.
 */
async function publishPattern(
  d: WordPressContext,
  place: PatternPlace,
  content: { title: string; html: string; editReason: string },
  w: WriteContext,
): Promise<{ id: number | null; changed: boolean }> {
  const raw = htmlBlock(`${place.marker}\n${content.html}`);
  const meant = digestOf(raw);
  let id = await w.state.get<number>(place.key);
  if (id) {
    const block = await getOrNull<WpBlock>(d, `wp/v2/blocks/${id}`, { context: "edit" });
    if (!block || block.status === "trash") id = null;
    // Unchanged when it is what we last sent (whatever kses made of it) or what the site shows.
    else if (
      (await w.state.get<string>(`${place.key}:sent`)) !== meant &&
      (block.content.raw ?? "").trim() !== raw.trim()
    ) {
      await write(
        d,
        w,
        "POST",
        `wp/v2/blocks/${id}`,
        { content: raw },
        `update the synced pattern "${content.title}" (${content.editReason})`,
      );
      if (!w.dryRun) await w.state.set(`${place.key}:sent`, meant);
      return { id, changed: true };
    }
    if (id) return { id, changed: false };
  }
  // Created once, whatever the store knows: the site's own pattern of this title is ours.
  id = await findByTitle<WpBlock>(d, "wp/v2/blocks", content.title, {});
  if (id) {
    await w.state.set(place.key, id);
    return publishPattern(d, place, content, w);
  }
  if (!w.dryRun) await w.state.set(`${place.key}:intent`, { at: d.now().toISOString() });
  const created = await write<WpBlock>(
    d,
    w,
    "POST",
    "wp/v2/blocks",
    { title: content.title, content: raw, status: "publish" },
    `create the synced pattern "${content.title}"`,
  );
  if (created) {
    await w.state.set(place.key, created.id);
    await w.state.set(`${place.key}:sent`, meant);
  }
  return { id: created?.id ?? null, changed: true };
}

const editUrl = (d: WordPressContext, id: number | null) =>
  id
    ? new URL(`wp-admin/post.php?post=${id}&action=edit`, d.options.site.baseUrl.replace(/\/?$/, "/")).toString()
    : null;

export async function publishHomepage(
  d: WordPressContext,
  content: HomepageContent,
  w: WriteContext,
): Promise<Published> {
  const pattern = await publishPattern(d, HOMEPAGE, content, w);
  const id = pattern.id;
  let changed = pattern.changed;
  const pageId = d.options.publish.homepage.pageId;
  if (pageId) {
    const ref = `<!-- wp:block {"ref":${id ?? "{new pattern}"}} /-->`;
    const page = await d.http.get<WpPost>(`wp/v2/pages/${pageId}`, { context: "edit" });
    const current = page.content?.raw ?? "";
    if (!current.includes(ref)) {
      await write(
        d,
        w,
        "POST",
        `wp/v2/pages/${pageId}`,
        { content: `${current.trimEnd()}\n\n${ref}\n` },
        `place the synced pattern in page ${pageId}`,
      );
      changed = true;
    }
  }
  return { url: pageId ? new URL(`?page_id=${pageId}`, d.options.site.baseUrl).toString() : editUrl(d, id), changed };
}

/**
 * The "New here?" synced pattern: the welcome every visitor of the pages the admin puts it on
 * (the front page, a sidebar) is shown, updated with each published month.
 */
export async function publishWelcome(
  d: WordPressContext,
  content: WelcomeContent,
  w: WriteContext,
): Promise<Published> {
  const { id, changed } = await publishPattern(d, WELCOME, content, w);
  return { url: editUrl(d, id), changed };
}

/** An item of a collection with exactly this title (search, then compare the raw title). */
async function findByTitle<T extends { id: number; title: { raw?: string } }>(
  d: WordPressContext,
  path: string,
  title: string,
  query: Record<string, string>,
): Promise<number | null> {
  const items = await d.http.get<T[]>(path, { context: "edit", search: title, per_page: 100, ...query });
  return Array.isArray(items) ? (items.find((i) => (i.title.raw ?? "") === title)?.id ?? null) : null;
}

export async function updateNewsletter(
  d: WordPressContext,
  content: NewsletterContent,
  w: WriteContext,
): Promise<Published> {
  const category = d.options.publish.newsletter.categoryId;
  if (!category)
    throw new SpotlightError(
      "[spotlight] [wordpress] newsletter: set publish.newsletter.categoryId (or publish.newsletter.enabled: false)",
      "config",
    );
  const key = `newsletter:${w.period.id}`;
  const wrap = (block: string) => htmlBlock(block);
  const id =
    (await w.state.get<number>(key)) ??
    (await findByTitle<WpPost>(d, "wp/v2/posts", content.title, {
      status: "draft,pending,future,private,publish",
      categories: String(category),
    }));
  if (!id) {
    if (!w.dryRun) await w.state.set(`${key}:intent`, { at: d.now().toISOString() });
    const created = await write<WpPost>(
      d,
      w,
      "POST",
      "wp/v2/posts",
      {
        title: content.title,
        status: "draft",
        categories: [category],
        content: replaceSection("", content.html, wrap),
      },
      `create the newsletter draft "${content.title}"`,
    );
    if (created) await w.state.set(key, created.id);
    return { url: created?.link ?? null, changed: true };
  }
  if (!w.dryRun) await w.state.set(key, id);
  const post = await d.http.get<WpPost>(`wp/v2/posts/${id}`, { context: "edit" });
  const current = post.content?.raw ?? "";
  const next = replaceSection(current, content.html, wrap);
  const meant = digestOf(content.html);
  // Unchanged when the draft shows exactly this, or holds our section as we last sent it (kses may
  // have filtered it).
  if (next === current || (current.includes(SECTION_START) && (await w.state.get<string>(`${key}:sent`)) === meant))
    return { url: post.link, changed: false };
  await write(
    d,
    w,
    "POST",
    `wp/v2/posts/${id}`,
    { content: next },
    `insert the spotlight section into "${content.title}"`,
  );
  if (!w.dryRun) await w.state.set(`${key}:sent`, meant);
  return { url: post.link, changed: true };
}
