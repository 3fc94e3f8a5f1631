/**
 * The dashboard as the tests sign in to it: the simulator's forum, a store holding October's
 * prepared plan, and `spotlight serve`'s server on a free port.
 */
import type { AddressInfo } from "node:net";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import type { Adapter } from "../adapters/types.js";
import { preparePlan } from "../src/pipeline.js";
import { createServer } from "../src/server/index.js";
import type { Settings } from "../src/settings.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { SIM_NOW, simAdapter, smallCommunity, testSettings } from "./helpers.js";

export const PERIOD = "2026-10";

export interface Dashboard {
  sim: RunningSimulator;
  store: SqliteStore;
  settings: Settings;
  base: string;
  close(): Promise<void>;
}

/** `env` is the server's own (read live: a test may change a password hash in it). */
export async function startDashboard(
  env: Record<string, string>,
  secret: string,
  patch: (s: Settings) => void = () => {},
  /** The adapter as the server gets it (e.g. to play a platform with other capabilities). */
  wrap: (a: Adapter) => Adapter = (a) => a,
): Promise<Dashboard> {
  const sim = await startSimulator({ community: smallCommunity() });
  const settings = testSettings(sim.url);
  patch(settings);
  const store = new SqliteStore(":memory:");
  const site = settings.sites[0]!;
  const adapter = wrap(simAdapter(settings, {}, site));
  await preparePlan({ settings, store, adapter, site, env, now: () => SIM_NOW }, PERIOD);
  const server = createServer({ settings, store, secret, adapters: new Map([["test", adapter]]), env }).listen(
    0,
    "127.0.0.1",
  );
  await new Promise<void>((r) => server.once("listening", () => r()));
  return {
    sim,
    store,
    settings,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.close();
      await sim.close();
      await store.close();
    },
  };
}
