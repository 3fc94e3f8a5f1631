/**
 * What approving a plan will publish, and to whom, before anything is: the dashboard's
 * confirmation page says it in words. It follows the same conditions as publishPlan (settings and
 * what the platform can do), so the admin is told exactly what will happen, nothing more.
 */
import type { Adapter } from "../../adapters/types.js";
import type { Plan } from "../domain.js";
import type { Settings } from "../settings.js";

export interface PublishOutline {
  /** The home page spotlight and how it is shown (pinned, banner, none). */
  homepage: { mode: Settings["publish"]["homepage"]["mode"] } | null;
  /** The notes: by private message (from `sender`, null: the API user) or by e-mail. */
  notes: { channel: "private_message" | "email"; sender: string | null; to: string[] } | null;
  newsletter: boolean;
  badge: { name: string; to: string[] } | null;
  group: { name: string; holds: string[] } | null;
  /** Featured by an admin's pin: the spotlight shows them as chosen by the team. */
  pinned: string[];
  /** Nobody to feature: what is live stays as it is. */
  nothing: boolean;
}

export function publishOutline(settings: Settings, adapter: Adapter, plan: Plan): PublishOutline {
  const pub = settings.publish;
  const names = plan.featured.map((f) => f.member.username);
  const caps = adapter.capabilities;
  const notes = !pub.notes.enabled
    ? null
    : caps.privateMessages && adapter.sendNote
      ? { channel: "private_message" as const, sender: pub.notes.senderUsername, to: names }
      : adapter.contactAddress
        ? { channel: "email" as const, sender: null, to: names }
        : null;
  return {
    homepage: pub.homepage.enabled && caps.homepage && adapter.publishHomepage ? { mode: pub.homepage.mode } : null,
    notes,
    newsletter: pub.newsletter.enabled && caps.newsletter && !!adapter.updateNewsletter,
    badge: pub.badge.enabled && caps.badges && adapter.grantBadge ? { name: pub.badge.name, to: names } : null,
    group:
      pub.flairGroup.enabled && caps.groups && adapter.setGroupMembers
        ? { name: pub.flairGroup.name, holds: names }
        : null,
    pinned: plan.featured.filter((f) => f.slot === "pinned").map((f) => f.member.username),
    nothing: names.length === 0,
  };
}
