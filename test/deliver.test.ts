/**
 * One message, exactly once (src/publish/deliver.ts), when the platform says the member does not
 * accept messages there: nothing is recorded as sent, the outcome says why, and the next run tries
 * again (they may accept messages by then).
 */
import { describe, expect, it } from "vitest";
import type { Adapter, NoteContent, WriteContext } from "../adapters/types.js";
import type { PipelineDeps } from "../src/pipeline.js";
import { deliverOnce } from "../src/publish/deliver.js";
import { capturingLogger, member, SIM_NOW, testSettings } from "./helpers.js";

function world(accepts: () => boolean) {
  const sent: NoteContent[] = [];
  const adapter = {
    name: "test",
    capabilities: { privateMessages: true },
    sendNote: async (note: NoteContent) => {
      if (!accepts()) return { ref: null, declined: "does not accept messages" };
      sent.push(note);
      return { ref: `ref-${sent.length}` };
    },
    findNote: async (note: NoteContent) => (sent.some((n) => n.marker === note.marker) ? { ref: "found" } : null),
  } as unknown as Adapter;
  const settings = testSettings();
  const { logger, lines } = capturingLogger();
  const deps = { adapter, settings, site: settings.sites[0]!, logger, now: () => SIM_NOW } as unknown as PipelineDeps;
  const map = new Map<string, unknown>();
  const w: WriteContext = {
    period: { id: "2026-10", start: "2026-10-01T00:00:00Z", end: "2026-11-01T00:00:00Z" } as WriteContext["period"],
    dryRun: false,
    actions: [],
    state: { get: async <T>(k: string) => (map.get(k) as T) ?? null, set: async (k, v) => void map.set(k, v) },
  };
  const msg = {
    kind: "note",
    key: "note:2026-10:7",
    member: member("7"),
    title: "Thank you",
    md: "Thanks",
    txt: "Thanks",
    html: "<p>Thanks</p>",
    marker: "<!-- m:7 -->",
    identity: "t:2026-10:7",
    optOutUrl: null,
    since: "2026-11-01T00:00:00Z",
  };
  return { deps, w, msg, sent, lines, map };
}

describe("a member who does not accept messages on the platform", () => {
  it("is declined, not recorded as sent, and tried again next time", async () => {
    let accepts = false;
    const { deps, w, msg, sent, lines, map } = world(() => accepts);
    expect(await deliverOnce(deps, w, msg)).toEqual({ outcome: "declined", ref: null });
    expect(sent).toEqual([]);
    expect(map.get(msg.key)).toMatchObject({ status: "declined" });
    expect(lines.find((l) => l.code === "declined")).toMatchObject({ why: "does not accept messages" });
    // Declined again while they still refuse; delivered once when they accept.
    expect((await deliverOnce(deps, w, msg)).outcome).toBe("declined");
    accepts = true;
    expect(await deliverOnce(deps, w, msg)).toEqual({ outcome: "sent", ref: "ref-1" });
    expect(await deliverOnce(deps, w, msg)).toEqual({ outcome: "already_sent", ref: "ref-1" });
    expect(sent).toHaveLength(1);
  });
});
