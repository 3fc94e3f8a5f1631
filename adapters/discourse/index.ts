/**
 * Discourse, through its admin API: the platform's descriptor (adapters/types.ts). The adapter is
 * in adapter.ts, the simulated forum the demo and the tests run against in simulator/.
 */
import type { Platform } from "../types.js";
import { capabilities, createDiscourseAdapter } from "./adapter.js";

/** Discourse's admin API limit, shared by every integration of a site. */
const ADMIN_API_PER_MINUTE = 60;

const discourse: Platform = {
  name: "discourse",
  capabilities,
  create: createDiscourseAdapter,
  demo: {
    async start({ seed, members, posts, now, clock }) {
      const { startSimulator } = await import("./simulator/app.js");
      const apiKey = "demo-key";
      const sim = await startSimulator({ apiKey, communityOptions: { seed, members, posts, now }, clock });
      return { url: sim.url, apiKey, apiUsername: "system", close: () => sim.close() };
    },
    // The sample forum has no Data Explorer (the tests give the simulator a PostgreSQL for it).
    site: { dataExplorer: "off" },
    // The sample community's newsletter category.
    publish: { newsletter: { enabled: true, categoryId: 3, categorySlug: "newsletter" } },
    pace: {
      perMinute: ADMIN_API_PER_MINUTE,
      name: `Discourse's limit of ${ADMIN_API_PER_MINUTE} a minute (a real forum; the simulator has none)`,
    },
  },
};

export default discourse;
export { createDiscourseAdapter };
