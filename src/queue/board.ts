/**
 * The queue monitor at /admin/queues (bull-board), in worker mode: behind the dashboard's sign-in,
 * under a Content-Security-Policy of its own (its page loads its scripts from itself) and with its
 * state changes (retry, clean, pause) accepted only from the dashboard's own origin
 * (src/server/admin.ts).
 */

import type { Router } from "express";
import type { Logger } from "../log.js";
import { producerConnection, queues } from "./index.js";

export interface QueueBoard {
  router: Router;
  close(): Promise<void>;
}

export async function queueBoard(url: string, prefix: string, logger: Logger): Promise<QueueBoard> {
  const { createBullBoard } = await import("@bull-board/api");
  const { BullMQAdapter } = await import("@bull-board/api/bullMQAdapter");
  const { ExpressAdapter } = await import("@bull-board/express");
  const conn = producerConnection(url, logger);
  const q = queues(conn, prefix);
  const board = new ExpressAdapter();
  board.setBasePath("/admin/queues");
  createBullBoard({ queues: [q.sync, q.period, q.notes].map((x) => new BullMQAdapter(x)), serverAdapter: board });
  return {
    router: board.getRouter() as Router,
    async close() {
      await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
      conn.disconnect();
    },
  };
}
