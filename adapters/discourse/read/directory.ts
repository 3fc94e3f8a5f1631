/** Steps 0 and 1 of a read: the read-restricted categories, and the candidates from the directory. */

import { SpotlightError } from "../../../src/errors.js";
import { need } from "../client.js";
import type { DiscourseCategory, DiscourseDirectoryResponse } from "../raw.js";
import type { ReadContext, Reading } from "./reading.js";
import { DAY } from "./reading.js";

const DIRECTORY_PAGE = 50;
const DIRECTORY_MAX_PAGE = 10;

/** The smallest rolling directory window that covers `start` (a few days' slack for monthly). */
export function directoryWindow(start: string, now: Date): "monthly" | "quarterly" | "yearly" | "all" {
  const monthsBack = (m: number) => {
    const d = new Date(now);
    d.setUTCMonth(d.getUTCMonth() - m);
    return d.getTime();
  };
  const t = Date.parse(start);
  if (t >= monthsBack(1) - 3 * DAY) return "monthly";
  if (t >= monthsBack(3)) return "quarterly";
  if (t >= monthsBack(12)) return "yearly";
  return "all";
}

/**
 * The ids of the site's read-restricted categories, asked of the site itself (an admin sees every
 * category; CategoryList with include_subcategories nests the children). One request.
 */
export async function restrictedCategories(ctx: Pick<ReadContext, "http">): Promise<Set<number>> {
  const path = "/categories.json";
  const query = { include_subcategories: true };
  const body = await ctx.http.get<{ category_list?: { categories?: DiscourseCategory[] } }>(path, query);
  need(body, "category_list", "object", path, query);
  need(body.category_list, "categories", "array", path, query);
  const out = new Set<number>();
  const visit = (list: DiscourseCategory[]) => {
    for (const c of list) {
      need(c, "id", "number", path, query);
      need(c, "read_restricted", "boolean", path, query);
      if (c.read_restricted) out.add(c.id);
      if (Array.isArray(c.subcategory_list)) visit(c.subcategory_list);
    }
  };
  visit(body.category_list!.categories!);
  return out;
}

/** What of a directory row changes when a member's stream for the period does. */
const rowOf = (item: Record<string, unknown>) =>
  ["likes_received", "post_count", "topic_count", "solutions"].map((k) => String(item[k] ?? "")).join("|");

/** 1. The top `sync.candidatesPerOrder` of the directory by likes received, posts and solutions. */
export async function findCandidates(r: Reading): Promise<void> {
  const { http, options, log } = r.ctx;
  const { candidates } = r;
  const window = directoryWindow(r.req.period.start, r.now);
  const pages = Math.min(DIRECTORY_MAX_PAGE + 1, Math.ceil(options.sync.candidatesPerOrder / DIRECTORY_PAGE));
  for (const order of ["likes_received", "post_count", "solutions"]) {
    let taken = 0;
    try {
      for (let page = 0; page < pages && taken < options.sync.candidatesPerOrder; page++) {
        const query = { period: window, order, page };
        const body = await http.get<DiscourseDirectoryResponse>("/directory_items.json", query);
        need(body, "directory_items", "array", "/directory_items.json", query);
        // Every active account has a row, zeros included, and the API user's own row is put at
        // the top of the first page (DirectoryItemsController#index): a zero in the column
        // ordered by earns nothing there, and once the page ends on one the rest are zero too.
        const count = (item: object) => (item as Record<string, unknown>)[order];
        for (const item of body.directory_items) {
          need(item, "user", "object", "/directory_items.json", query);
          if (taken >= options.sync.candidatesPerOrder) break;
          if (count(item) === 0 || item.user.id <= 0) continue;
          taken++;
          candidates.set(String(item.user.id), item.user.username);
          r.rows.set(String(item.user.id), rowOf(item as unknown as Record<string, unknown>));
        }
        const last = body.directory_items[body.directory_items.length - 1];
        if (body.directory_items.length < DIRECTORY_PAGE || (last && count(last) === 0)) break;
      }
    } catch (err) {
      // The solutions column exists only with discourse-solved enabled; without it Discourse
      // answers 400 for the unknown order. Every other failure is real.
      if (order === "solutions" && err instanceof SpotlightError && err.kind === "http") {
        log.info(
          { event: "spotlight.discourse.no_solutions_column", site: options.site.id },
          "directory has no solutions column",
        );
        continue;
      }
      throw err;
    }
  }
  r.progress("directory", candidates.size, candidates.size);
}
