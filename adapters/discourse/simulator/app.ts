/**
 * The Discourse simulator: an express app serving a sample community behind the same endpoints
 * and JSON shapes as Discourse (validated against the official OpenAPI spec in the tests, with the
 * allowances listed in spec-allowances.ts). It checks Api-Key/Api-Username, and can be told to
 * answer with 429s, 500s and slow responses. Shipped with the product: the demo runs against it.
 */

import type { AddressInfo } from "node:net";
import express, { type Request, type Response, type Router } from "express";
import { type Community, generateCommunity, type SimPost, type SimTopic } from "./community.js";
import { ERR_404 } from "./errors.js";
import { avatar, buildForum } from "./forum.js";
import { guard } from "./middleware.js";
import { readRoutes } from "./reads.js";
import { serializers } from "./serialize.js";
import type { SimulatorOptions, SimulatorState, SimWrites } from "./types.js";
import { newWebhooks, type SimWebhookControl, webhookRoutes } from "./webhooks.js";
import { registerWrites } from "./write.js";

export { strikes } from "./middleware.js";
export type { Faults, RecordedResponse, SimulatorOptions, SimulatorState } from "./types.js";

export function createSimulator(options: SimulatorOptions) {
  // Writes add topics: keep them out of a community object other simulators may share.
  const generated = options.community ?? generateCommunity(options.communityOptions!);
  const community: Community = { ...generated, topics: [...generated.topics] };
  const apiKey = options.apiKey ?? "sim-key";
  const solved = options.solvedPlugin ?? true;
  const maxLimit = options.userActionsMaxLimit ?? Number.POSITIVE_INFINITY;
  const state: SimulatorState = {
    community,
    faults: { ...options.faults },
    requests: new Map(),
    total: 0,
    writes: null as unknown as SimWrites,
    explorer: { queries: new Map(), overLimit: 0, runs: 0 },
    webhooks: newWebhooks(),
  };
  const forum = buildForum(community, options.clock);
  const { users, byName, topics, posts, streams, now, clock } = forum;
  const json = serializers(forum);
  const { basicUser } = json;

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  guard(app, { state, options, apiKey, byName, now });
  readRoutes(app, forum, json, { solved, maxLimit, state });
  const webhooks = webhookRoutes(app, state.webhooks, forum);

  const onNewTopic = (post: SimPost) => {
    const list = streams.get(post.userId) ?? [];
    list.unshift({ type: 4, at: post.createdAt, post, owner: post.userId, acting: post.userId });
    streams.set(post.userId, list);
  };
  state.writes = registerWrites(app, {
    community,
    users,
    byName,
    topics,
    posts,
    now,
    clock,
    avatar,
    basicUser,
    onNewTopic,
  });

  // Data Explorer's routes, once its database is ready (startSimulator); until then, and without
  // one, the plugin is off and they fall through to 404.
  let explorer: Router | null = null;
  app.use(["/admin/plugins/explorer", "/admin/plugins/discourse-data-explorer"], (req, res, next) =>
    explorer ? explorer(req, res, next) : next(),
  );
  const enableExplorer = (router: Router) => {
    explorer = router;
  };

  app.use((_req: Request, res: Response) => void res.status(404).json(ERR_404));
  return { app, state, forum, enableExplorer, webhooks };
}

export interface RunningSimulator {
  url: string;
  state: SimulatorState;
  /** The forum's webhooks, and changes made now that send their events (webhooks.ts). */
  webhooks: SimWebhookControl;
  close(): Promise<void>;
}

/** Start the simulator on 127.0.0.1 (a free port unless one is given). */
export async function startSimulator(options: SimulatorOptions & { port?: number }): Promise<RunningSimulator> {
  const { app, state, forum, enableExplorer, webhooks } = createSimulator(options);
  let closeDatabase = async () => {};
  if (options.dataExplorer) {
    // Loaded only here: pg is needed by the tests and benchmarks that turn Data Explorer on.
    const { explorerDatabase, explorerRouter } = await import("./explorer/routes.js");
    const { loadForum } = await import("./explorer/load.js");
    const db = await explorerDatabase(options.dataExplorer.postgresUrl);
    closeDatabase = db.close;
    const client = await db.pool.connect();
    try {
      await loadForum(client, forum);
    } finally {
      client.release();
    }
    enableExplorer(
      explorerRouter({
        settings: { pool: db.pool, ...options.dataExplorer },
        state: state.explorer,
        users: forum.users,
        clock: forum.clock,
      }),
    );
  }
  const server = app.listen(options.port ?? 0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  state.webhooks.instance = `http://127.0.0.1:${port}`;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    webhooks,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }).then(closeDatabase),
  };
}

export type { Community, SimTopic };
