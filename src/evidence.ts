/**
 * Evidence must be public. Scoring cites only activities the adapter marked public; before a plan
 * is saved, and again before it is published, the platform is asked whether anyone may still see
 * each cited post (a topic unlisted, or moved into a restricted category, since it was read). A
 * featured member keeps the first `evidenceCount` posts it confirms; one with none left has
 * nothing to show the public and gives their place to the next (skip reason no_public_evidence),
 * unless an admin pinned them.
 */
import type { Adapter } from "../adapters/types.js";
import type { Evidence, PlanEntry } from "./domain.js";

export class EvidenceCheck {
  /** url → whether the platform confirmed anyone may see it. */
  private readonly seen = new Map<string, boolean>();

  constructor(private readonly adapter: Pick<Adapter, "confirmPublic">) {}

  /** Ask the platform about the posts these entries cite that it was not asked about yet. */
  async confirm(entries: readonly PlanEntry[]): Promise<void> {
    if (!this.adapter.confirmPublic) return;
    const ask = [
      ...new Map(
        entries
          .flatMap((f) => f.card.evidence)
          .filter((e) => !this.seen.has(e.url))
          .map((e) => [e.url, e]),
      ).values(),
    ];
    if (!ask.length) return;
    const ok = await this.adapter.confirmPublic(ask);
    for (const e of ask) this.seen.set(e.url, ok.has(e.url));
  }

  /** What may be cited of `evidence`: confirmed public (or nothing to confirm with), at most `n`. */
  citable(evidence: readonly Evidence[], n: number): Evidence[] {
    return evidence.filter((e) => this.seen.get(e.url) !== false).slice(0, n);
  }

  /** The entries with only their citable evidence. */
  keep(entries: readonly PlanEntry[], n: number): PlanEntry[] {
    return entries.map((f) => ({ ...f, card: { ...f.card, evidence: this.citable(f.card.evidence, n) } }));
  }
}
