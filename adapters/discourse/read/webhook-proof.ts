/**
 * Proving that a site's webhook lost nothing since a time, so that its silence about a member
 * means they did nothing (ReadRequest.webhooks, read/quiet.ts). Discourse records every delivery
 * attempt as a WebHookEvent with the status our server answered, or -1 when it could not reach us
 * (core app/jobs/regular/emit_web_hook_event.rb, app/services/web_hook_emitter.rb); a retry is a
 * new event. So the hook that delivers to us is proven complete since `since` when:
 *
 * 1. it is active, sends every kind of event whose silence we rely on, and filters none out by
 *    category, group or tag (GET /admin/api/web_hooks.json, AdminWebHookSerializer);
 * 2. its event log (GET /admin/api/web_hooks/{id}/events.json, newest first, 50 a page:
 *    Admin::WebHooksController#list_events) reaches back before `since`, holds the last event we
 *    received (so it is ours, not another deployment's), and every event since `since` was answered
 *    2xx by us (an event still at status 0 is being sent: not proven yet);
 * 3. nobody edited it since (GET /admin/logs/staff_action_logs.json?action_name=web_hook_update:
 *    StaffActionLogger#log_web_hook, whose context names the webhook_id). An inactive hook records
 *    no event at all (EmitWebHookEvent returns early), which only this log tells: a hook that is
 *    active now and was deactivated in between was made active again by an edit (the system's
 *    own deactivation, web_hook_deactivate after 404s or 410s, is undone only by one), and its
 *    failed deliveries are in its event log anyway.
 *
 * The events' payloads come with the log; only their id, status and time are read, and nothing
 * of them is kept. Cost: 2 requests and one per 50 events since `since`, at most MAX_EVENT_PAGES.
 */
import type { HttpClient } from "../../../src/http.js";
import { need } from "../client.js";

/** The clock difference between the forum and us that the proof allows for. */
export const SKEW_MS = 10 * 60_000;
/** Pages of the event log read at most (50 events each); a busier window is not proven. */
export const MAX_EVENT_PAGES = 20;

/** What must be sent, per kind (old Discourse: the kind itself is the event type's name). */
const NEEDED: Record<string, readonly string[]> = {
  post: ["post_created", "post_edited", "post_destroyed", "post_recovered"],
  topic: ["topic_edited", "topic_destroyed", "topic_recovered"],
  like: ["like_created"],
  user: ["user_destroyed"],
  solved: ["accepted_solution", "unaccepted_solution"],
};

interface Hook {
  id: number;
  payload_url: string;
  active: boolean;
  wildcard_web_hook?: boolean;
  web_hook_event_types?: Array<{ name: string }>;
  category_ids?: number[];
  categories?: unknown[];
  group_ids?: number[];
  tag_names?: string[];
}

interface HooksResponse {
  web_hooks?: Hook[];
  extras?: { event_types?: Array<{ name: string }> };
}

interface HookEvent {
  id: number;
  status: number;
  created_at: string;
}

export type Proof = { proven: true; hookId: number } | { proven: false; why: string };

/** The kinds of events this hook does not send in full (of those the site has). */
function missingKinds(hook: Hook, available: ReadonlySet<string>): string[] {
  if (hook.wildcard_web_hook) return [];
  const names = new Set((hook.web_hook_event_types ?? []).map((t) => t.name));
  const sends = (e: string) => [...names].some((n) => n === e || n.endsWith(`_${e}`));
  return Object.entries(NEEDED)
    .filter(([kind]) => kind !== "solved" || [...available].some((n) => n === "solved" || n.includes("solution")))
    .filter(([kind, events]) => !names.has(kind) && !events.every(sends))
    .map(([kind]) => kind);
}

/** Our hook's events down to the first one before `since`, or why they cannot prove anything. */
async function eventsSince(http: HttpClient, hookId: number, since: number, lastId: number) {
  const path = `/admin/api/web_hooks/${hookId}/events.json`;
  const events: HookEvent[] = [];
  let ours = false;
  for (let page = 0; page < MAX_EVENT_PAGES; page++) {
    const query = { offset: page * 50 };
    const body = await http.get<{ web_hook_events?: HookEvent[] }>(path, query);
    need(body, "web_hook_events", "array", path, query);
    for (const e of body.web_hook_events!) {
      need(e, "id", "number", path, query);
      need(e, "status", "number", path, query);
      need(e, "created_at", "string", path, query);
      if (e.id === lastId) ours = true;
      if (Date.parse(e.created_at) < since) {
        if (ours) return { events, reached: true as const };
        continue;
      }
      events.push(e);
    }
    if (body.web_hook_events!.length < 50) return { events, reached: false as const, ours };
  }
  return { events, reached: false as const, ours };
}

/** Whether the webhook that sends to us (the one that sent event `last.id`) lost nothing since `since`. */
export async function proveDelivered(http: HttpClient, since: number, last: { id: string }): Promise<Proof> {
  const from = since - SKEW_MS;
  const lastId = Number(last.id);
  if (!Number.isInteger(lastId)) return { proven: false, why: "the last event received has no numeric id" };
  const path = "/admin/api/web_hooks.json";
  const body = await http.get<HooksResponse>(path);
  need(body, "web_hooks", "array", path);
  const available = new Set((body.extras?.event_types ?? []).map((t) => t.name));
  // Checked before the id goes into a path and the URL is parsed; a malformed hook is not ours.
  const hooks = body.web_hooks!.filter((h) => {
    if (!Number.isSafeInteger(h?.id) || h.active !== true || typeof h.payload_url !== "string") return false;
    try {
      return new URL(h.payload_url).pathname.replace(/\/+$/, "").endsWith("/webhooks/discourse");
    } catch {
      return false;
    }
  });
  for (const hook of hooks) {
    const got = await eventsSince(http, hook.id, from, lastId);
    if (!got.reached) {
      if (got.ours === false) continue; // another deployment's hook
      return { proven: false, why: "its event log does not reach back far enough" };
    }
    const missing = missingKinds(hook, available);
    if (missing.length) return { proven: false, why: `it does not send every ${missing.join(", ")} event` };
    if ((hook.category_ids ?? hook.categories ?? []).length || hook.group_ids?.length || hook.tag_names?.length)
      return { proven: false, why: "it sends only some categories, groups or tags" };
    const failed = got.events.find((e) => e.status < 200 || e.status > 299);
    if (failed)
      return {
        proven: false,
        why:
          failed.status === 0
            ? `event ${failed.id} is still being sent`
            : `event ${failed.id} failed (${failed.status})`,
      };
    const logs = "/admin/logs/staff_action_logs.json";
    const query = { action_name: "web_hook_update" };
    const entries = await http.get<{ staff_action_logs?: Array<{ context?: string | null; created_at: string }> }>(
      logs,
      query,
    );
    need(entries, "staff_action_logs", "array", logs, query);
    const edited = entries.staff_action_logs!.some(
      (e) =>
        Date.parse(e.created_at) >= from && new RegExp(`\\bwebhook_id: ${hook.id}\\b`).test(String(e.context ?? "")),
    );
    if (edited) return { proven: false, why: "it was edited since" };
    return { proven: true, hookId: hook.id };
  }
  return { proven: false, why: "no active webhook sends to us" };
}
