/**
 * What a month's publication made, for the period page once it is approved: links to every public
 * artefact (the home page spotlight, the newsletter draft), the badge and group, and each note's
 * state from its ledger (sent when, with a link where the platform has one; still to go).
 */
import type { Adapter } from "../../adapters/types.js";
import type { Plan } from "../domain.js";
import { noteLedgerKey, type PublishedRecord, publishedKey, storeState } from "../publish/index.js";
import type { Store } from "../store/types.js";

export interface OutcomeView {
  at: string | null;
  homepage: string | null;
  newsletter: string | null;
  badge: string | null;
  group: string | null;
  keptLive: boolean;
  notes: Array<{ username: string; state: string; url: string | null }>;
}

export async function outcomeView(
  store: Store,
  site: string,
  plan: Plan,
  adapter: Adapter | undefined,
  when: (iso: string) => string,
  t: (key: string, values?: Record<string, unknown>) => string,
): Promise<OutcomeView> {
  const record = await store.getState<PublishedRecord>(site, publishedKey(plan.period.id));
  const state = storeState(store, site);
  const notes = [];
  for (const f of plan.featured) {
    const rec = await state.get<{ status: string; at: string; ref?: string | null }>(
      noteLedgerKey(plan.period.id, f.member.id),
    );
    const sent = rec?.status === "sent";
    notes.push({
      username: f.member.username,
      state: sent
        ? t("admin.outcome.noteSent", { at: when(rec.at) })
        : rec?.status === "declined"
          ? t("admin.outcome.noteDeclined")
          : t("admin.outcome.notePending"),
      url: sent && rec.ref && adapter?.noteUrl ? adapter.noteUrl(rec.ref) : null,
    });
  }
  const names = (list: readonly string[]) => list.map((n) => `@${n}`).join(", ");
  return {
    at: record ? when(record.at) : null,
    homepage: record?.homepage ?? null,
    newsletter: record?.newsletter ?? null,
    badge: record?.badge?.length ? names(record.badge) : null,
    group: record?.group
      ? t("admin.outcome.groupChange", { added: record.group.added.length, removed: record.group.removed.length })
      : null,
    keptLive: record?.keptLive ?? false,
    notes,
  };
}
