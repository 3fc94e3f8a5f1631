/**
 * The queue monitor at /admin/queues (bull-board), in worker mode: behind the dashboard's sign-in,
 * under a Content-Security-Policy of its own (its page loads its scripts from itself) and with its
 * state changes (retry, clean, pause) accepted only from the dashboard's own origin
 * (src/server/admin.ts).
 */

import type { Router } from "express";
import type { queues } from "./index.js";

/** The monitor of these queues (the caller keeps them, and closes them). */
export async function queueBoard(q: ReturnType<typeof queues>): Promise<Router> {
  const { createBullBoard } = await import("@bull-board/api");
  const { BullMQAdapter } = await import("@bull-board/api/bullMQAdapter");
  const { ExpressAdapter } = await import("@bull-board/express");
  const board = new ExpressAdapter();
  board.setBasePath("/admin/queues");
  createBullBoard({ queues: [q.sync, q.period, q.notes].map((x) => new BullMQAdapter(x)), serverAdapter: board });
  return board.getRouter() as Router;
}
