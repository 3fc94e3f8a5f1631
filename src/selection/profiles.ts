/**
 * A member about to be featured is judged on their profile as the platform shows it now: someone
 * who hid their profile, was suspended, left or became staff since the read that stored their
 * profile is not featured. Profiles the plan's own read fetched are fresh already; the others
 * (a plan recomputed from the store, a member stored by an earlier read) are asked for again,
 * once per plan, one request each (Adapter.profile).
 */
import type { Adapter } from "../../adapters/types.js";
import type { Member, PlanEntry } from "../domain.js";
import type { Store } from "../store/types.js";

export class ProfileCheck {
  /** Members whose profile is known fresh in this plan: read by its sync, or asked here. */
  private readonly fresh: Set<string>;
  /** Members the platform no longer knows under that id and name. */
  readonly gone = new Set<string>();

  constructor(
    private readonly adapter: Pick<Adapter, "profile">,
    private readonly store: Store,
    private readonly site: string,
    readFresh: Iterable<string>,
  ) {
    this.fresh = new Set(readFresh);
  }

  /**
   * Asks for the profiles of these entries' members not known fresh yet and stores them. True
   * when it asked about anyone: the period is to be ranked again, so that who is featured, and
   * the name, avatar and language their entry and note show, are as the platform says now.
   */
  async refresh(entries: readonly PlanEntry[]): Promise<boolean> {
    if (!this.adapter.profile) return false;
    const stale = entries.map((f) => f.member).filter((m) => !this.fresh.has(m.id));
    if (!stale.length) return false;
    const now: Member[] = [];
    for (const m of stale) {
      this.fresh.add(m.id);
      const p = await this.adapter.profile({ id: m.id, username: m.username });
      if (p) now.push(p);
      else this.gone.add(m.id);
    }
    if (now.length) await this.store.ingest(this.site, { members: now });
    return true;
  }

  /** The members a ranking may choose from: those gone are unknown (never featured). */
  forget(members: Map<string, Member>): void {
    for (const id of this.gone) members.delete(id);
  }
}
