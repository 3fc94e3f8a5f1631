/**
 * The period run as idempotent steps: sync (read the platform into the store), prepare (score,
 * select, save the plan), render. Each step can be repeated: ingestion ignores events it has, a
 * prepared plan is recomputed, an approved or published plan is never replaced.
 */
import type { Adapter, ReadPart, ReadProgress } from "../adapters/types.js";
import { type Clock, systemClock } from "./clock.js";
import type { Plan } from "./domain.js";
import { SpotlightError } from "./errors.js";
import { EvidenceCheck } from "./evidence.js";
import { noteFacts } from "./facts.js";
import { measureImpact } from "./impact/index.js";
import { measureJourney } from "./journey.js";
import { type Logger, silentLogger } from "./log.js";
import { keepNewcomers, keepUnanswered } from "./newcomers.js";
import { deploymentSecret, optOutKey } from "./optout.js";
import { lastCompletePeriod, periodOf, shiftPeriod } from "./period.js";
import { rankPeriod, SOLE_CONTACTS_KEY, type SoleContacts } from "./ranking.js";
import { select } from "./selection/index.js";
import { ProfileCheck } from "./selection/profiles.js";
import type { Settings, SiteSettings } from "./settings.js";
import type { Store } from "./store/types.js";
import { webhookNews } from "./webhook-news.js";

export interface PipelineDeps {
  settings: Settings;
  store: Store;
  adapter: Adapter;
  site: SiteSettings;
  logger?: Logger;
  now?: Clock;
  /** Progress of reading the platform, with the period being read. */
  onProgress?: (progress: ReadProgress & { period: string }) => void;
  env?: NodeJS.ProcessEnv;
  /** Aborted when the process must stop: a read stops at its next checkpoint (StoppedError). */
  signal?: AbortSignal;
}

/** The state key of a period's read cursor. */
const readCursorKey = (periodId: string) => `read:${periodId}`;

export interface SyncResult {
  inserted: number;
  duplicates: number;
  requests: number;
  /** The members whose profiles this read fetched from the platform. */
  profiled: string[];
}

/**
 * Read one period from the platform into the store, resuming from the period's cursor. `fresh`:
 * a plan is made from this read (ReadRequest.fresh).
 */
export async function syncPeriod(
  deps: PipelineDeps,
  periodId: string,
  options: { fresh?: boolean } = {},
): Promise<SyncResult> {
  const { store, adapter, site } = deps;
  const period = periodOf(periodId, deps.settings.timezone);
  const cursorKey = readCursorKey(period.id);
  const cursor = await store.getState(site.id, cursorKey);
  const knownMembers = await store.members(site.id);
  const onProgress = deps.onProgress && ((p: ReadProgress) => deps.onProgress!({ ...p, period: period.id }));
  let inserted = 0;
  let duplicates = 0;
  // Members whose profile this read fetched from the platform (not one an earlier read stored).
  const startedAt = (deps.now ?? systemClock)().getTime();
  const profiled = new Set<string>();
  // What a read hands over, at its checkpoints and at its end: stored with the cursor that goes
  // with it, so a stopped or killed read is continued, not redone.
  const keep = async (part: ReadPart) => {
    const r = await store.ingest(site.id, {
      activities: part.activities,
      members: part.members,
      cursor: { key: cursorKey, value: part.cursor },
    });
    inserted += r.inserted;
    duplicates += r.duplicates;
    for (const m of part.members ?? []) if (Date.parse(m.fetchedAt) >= startedAt) profiled.add(m.id);
    // What the read learnt of new accounts' sole contacts, merged over reads of the period.
    if (part.soleContacts && Object.keys(part.soleContacts).length) {
      const known = (await store.getState<SoleContacts>(site.id, SOLE_CONTACTS_KEY)) ?? {};
      known[period.id] = { ...known[period.id], ...part.soleContacts };
      await store.setState(site.id, SOLE_CONTACTS_KEY, known);
    }
    if (part.unanswered) await keepUnanswered(store, site.id, period.id, part.unanswered);
    if (part.newcomers?.length) await keepNewcomers(store, site.id, part.newcomers, (deps.now ?? systemClock)());
  };
  // For a plan's read, what the site's webhooks told since the period began (its reads are later).
  const webhooks = options.fresh
    ? await webhookNews(
        store,
        site.id,
        new Date(Date.parse(period.start) - 86_400_000).toISOString(),
        (deps.now ?? systemClock)(),
      )
    : null;
  const result = await adapter.readPeriod({
    period,
    cursor,
    knownMembers,
    onProgress,
    checkpoint: keep,
    ...(options.fresh ? { fresh: true } : {}),
    ...(webhooks ? { webhooks } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  await keep(result);
  (deps.logger ?? silentLogger).info(
    { event: "spotlight.sync.done", site: site.id, period: period.id, inserted, duplicates, requests: result.requests },
    "synced",
  );
  return { inserted, duplicates, requests: result.requests, profiled: [...profiled] };
}

/** How many months back, besides every month with a plan, forgetting a member drops read cursors. */
const CURSOR_MONTHS = 14;

/**
 * Forgetting a member drops the read cursors of the months that may mention them: a cursor is the
 * adapter's (opaque here), and may hold ids, usernames, a newcomer's first question. Every month
 * with a plan was read, and a month read without one is recent. The next read of such a month
 * reads it whole, as a first read.
 */
export async function forgetReadCursors(store: Store, site: string, now: Date, timeZone: string) {
  const current = shiftPeriod(lastCompletePeriod(now, timeZone), 1);
  const months = new Set((await store.plans(site)).map((p) => p.plan.period.id));
  for (let back = 0; back <= CURSOR_MONTHS; back++) months.add(shiftPeriod(current, -back));
  for (const month of months) {
    const key = readCursorKey(month);
    if ((await store.getState(site, key)) !== null) await store.setState(site, key, null);
  }
}

export interface PrepareResult {
  plan: Plan;
  /** The stored plan was approved or published already and was left as it was. */
  unchanged: boolean;
  requests: number;
}

/**
 * Sync the period (and, the first time, the one before it for the rising slot), then plan it.
 * With `sync: false` (an admin's pin or exclusion) the plan is recomputed from what the store has.
 */
/**
 * A month whose active members fall below this share of the month before is not planned without
 * an admin's word: a read that sees members' activity disappear has more likely lost a permission
 * than the community its members.
 */
export const LOW_ACTIVITY_SHARE = 0.25;

export async function preparePlan(
  deps: PipelineDeps,
  periodId: string,
  options: { sync?: boolean; acceptLowActivity?: boolean } = {},
): Promise<PrepareResult> {
  const { store, site, settings } = deps;
  const existing = await store.getPlan(site.id, periodId);
  if (existing && (existing.status === "approved" || existing.status === "published"))
    return { plan: existing.plan, unchanged: true, requests: 0 };

  const sync = options.sync !== false;
  const read = sync ? await syncPeriod(deps, periodId, { fresh: true }) : null;
  let requests = read?.requests ?? 0;
  const previousId = shiftPeriod(periodId, -1);
  const previousPlan = await store.getPlan(site.id, previousId);
  if (sync && !previousPlan && !(await store.getState(site.id, readCursorKey(previousId))))
    requests += (await syncPeriod(deps, previousId)).requests;

  const period = periodOf(periodId, settings.timezone);
  const secret = await deploymentSecret(store, deps.env);
  const cooldown = settings.selection.cooldownPeriods;
  const overrides = existing?.plan.overrides ?? { pin: [], exclude: [] };
  const optOutKeys = await store.optOutKeys(site.id);
  const recentlyFeatured =
    cooldown > 0
      ? await store.featuredBetween(site.id, shiftPeriod(periodId, -cooldown), shiftPeriod(periodId, -1))
      : new Set<string>();
  // What earlier looks found stays found when the plan is only recomputed (an admin's pin); a new
  // read looks again.
  const flagged = new Set<string>(sync ? [] : (existing?.plan.hiddenAfterFlags ?? []));
  const profiles = new ProfileCheck(deps.adapter, store, site.id, read?.profiled ?? []);
  const rankNow = () =>
    rankPeriod({
      store,
      site: site.id,
      period,
      previous: periodOf(previousId, settings.timezone),
      previousPlan,
      settings,
      secret,
      optOutKeys,
      recentlyFeatured,
      overrides,
      flagged,
    }).then((r) => {
      profiles.forget(r.members);
      return r;
    });
  let ranking = await rankNow();
  // An empty read is not a plan.
  if (sync && !options.acceptLowActivity) {
    const previousPeriod = periodOf(previousId, settings.timezone);
    const before = (await store.activityCounts(site.id, previousPeriod.start, previousPeriod.end)).size;
    if (ranking.active === 0 || (before >= 20 && ranking.active < before * LOW_ACTIVITY_SHARE))
      throw new SpotlightError(
        `[spotlight] [${site.id}] ${periodId}: ${ranking.active} members with activity, against ${before} in ${previousId}. ` +
          `The credentials may lack a permission the read needs, or the site has changed; nothing was planned. ` +
          `If the month really was that quiet, run again with --accept-low-activity.`,
        "bad_response",
      );
  }

  // Evidence must be public (src/evidence.ts): a featured member none of whose cited posts the
  // platform confirms gives their place to the next, until every featured member has something
  // to show (each round asks only about posts not asked about before).
  const check = new EvidenceCheck(deps.adapter);
  const unconfirmed = new Set<string>();
  const selectNow = () =>
    select({
      cards: ranking.cards,
      members: ranking.members,
      optedOut: ranking.optedOut,
      recentlyFeatured: ranking.recentlyFeatured,
      previousTotals: ranking.previousTotals,
      overrides,
      selection: settings.selection,
      eligibility: settings.eligibility,
      unconfirmed,
    });
  // And a member about to be featured is scored on what the platform shows of their own posts now,
  // where the read could not tell (Adapter.findFlagged: a topic whose first post was hidden after
  // flags is `flagged`, not `topic`); what it finds ranks the period again.
  const vetted = new Set<string>();
  let selection = selectNow();
  for (;;) {
    await check.confirm(selection.featured);
    const lacking = selection.featured.filter((f) => f.slot !== "pinned" && !check.citable(f.card.evidence, 1).length);
    if (lacking.length) {
      for (const f of lacking) unconfirmed.add(f.member.id);
      selection = selectNow();
      continue;
    }
    const unvetted = selection.featured.map((f) => f.member.id).filter((id) => !vetted.has(id));
    if (deps.adapter.findFlagged && unvetted.length) {
      for (const id of unvetted) vetted.add(id);
      const own = await store.memberActivities(site.id, unvetted, period.start, period.end);
      const found = [...(await deps.adapter.findFlagged([...own.values()].flat()))].filter((id) => !flagged.has(id));
      for (const id of found) flagged.add(id);
      if (found.length) {
        ranking = await rankNow();
        selection = selectNow();
        continue;
      }
    }
    // And judged on their profile as the platform shows it now (src/selection/profiles.ts).
    if (!(await profiles.refresh(selection.featured))) break;
    ranking = await rankNow();
    selection = selectNow();
  }
  const featured = check.keep(selection.featured, settings.scoring.evidenceCount);
  const plan: Plan = {
    site: site.id,
    period,
    generatedAt: (deps.now ?? systemClock)().toISOString(),
    featured,
    // Worked out with each read; an admin's edit asks again only about members new to the plan.
    noteFacts:
      sync || !existing?.plan.noteFacts || featured.some((f) => !(f.member.id in existing.plan.noteFacts!))
        ? await factsWithThanks(deps, period, featured, (id) => !optOutKeys.has(optOutKey(secret, site.id, id)))
        : existing.plan.noteFacts,
    skipped: selection.skipped,
    ranked: selection.ranked,
    overrides,
    ...(existing?.plan.personalLines ? { personalLines: existing.plan.personalLines } : {}),
    ...(existing?.plan.noteTexts ? { noteTexts: existing.plan.noteTexts } : {}),
    ...(flagged.size ? { hiddenAfterFlags: [...flagged].sort() } : {}),
    stats: {
      members: ranking.active,
      scored: ranking.cards.size,
      activities: ranking.activities,
      requests: sync ? requests : (existing?.plan.stats.requests ?? 0),
      // Measured with each read; an admin's edit (no read) keeps what the read measured.
      journey: sync
        ? await measureJourney(
            store,
            site.id,
            [5, 4, 3, 2, 1, 0].map((back) => shiftPeriod(periodId, -back)),
            settings.timezone,
            (deps.now ?? systemClock)(),
          )
        : existing?.plan.stats.journey,
      impact: sync ? await measureImpact(store, site.id, (deps.now ?? systemClock)()) : existing?.plan.stats.impact,
    },
  };
  await store.savePlan(site.id, plan, "prepared");
  for (const f of plan.featured)
    (deps.logger ?? silentLogger).info(
      {
        event: "spotlight.member.selected",
        site: site.id,
        period: periodId,
        memberId: f.member.id,
        slot: f.slot,
        total: f.card.total,
      },
      "selected",
    );
  return { plan, unchanged: false, requests };
}

/**
 * What the notes can say (src/facts.ts), with what people they helped said in thanks
 * (Adapter.findThanks): never the words of someone who opted out or hid their profile.
 */
async function factsWithThanks(
  deps: PipelineDeps,
  period: Plan["period"],
  featured: Plan["featured"],
  notOptedOut: (memberId: string) => boolean,
) {
  const { store, site, settings, adapter } = deps;
  const thanks = adapter.findThanks ? await adapter.findThanks(featured.flatMap((f) => f.card.evidence)) : new Map();
  const writers = await store.members(
    site.id,
    [...thanks.values()].map((t) => t.byId),
  );
  return noteFacts(
    store,
    site.id,
    period,
    featured,
    settings.timezone,
    thanks,
    (id) => notOptedOut(id) && !writers.get(id)?.hiddenProfile,
  );
}
