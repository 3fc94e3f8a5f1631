/** What the dashboard's page modules share: their dependencies, and the async route wrapper. */
import type { NextFunction, Request, Response, Router } from "express";
import type { Adapter } from "../../adapters/types.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import type { SiteJobs } from "../queue/jobs.js";
import type { Settings, SiteSettings } from "../settings.js";
import type { Store } from "../store/types.js";

export interface AdminDeps {
  settings: Settings;
  store: Store;
  secret: string;
  adapters: ReadonlyMap<string, Adapter>;
  env?: NodeJS.ProcessEnv;
  /** Stamps audit entries and sessions (default: the system clock). */
  now?: Clock;
  logger?: Logger;
  /** bull-board's router, in worker mode. */
  queuesRouter?: Router;
  /**
   * Worker mode: an approval queues the period's publishing for the workers (its notes are jobs,
   * paced by worker.notesPerMinute) instead of publishing inside the request.
   */
  enqueuePublish?: (site: string, period: string) => Promise<unknown>;
  /** Worker mode: each site's running and failed jobs, and running a failed one again. */
  jobs?: {
    forSite(site: string): Promise<SiteJobs>;
    retry(site: string, queue: string, id: string): Promise<boolean>;
  };
}

/** An async handler whose errors reach express's error handler. */
export const route =
  (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    void fn(req, res).catch(next);

export const PERIOD_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** What the pages share with the router that mounts them. */
export interface AdminKit {
  deps: AdminDeps;
  settings: Settings;
  store: Store;
  log: Logger;
  env: NodeJS.ProcessEnv;
  now: Clock;
  locale: string;
  sites: ReadonlyMap<string, SiteSettings>;
  t: (key: string, values?: Record<string, unknown>) => string;
  /** A time as the site's admins live it: in settings.timezone (the pages say which). */
  when: (iso: string) => string;
  page: (res: Response, name: string, view: Record<string, unknown>, status?: number) => unknown;
  common: (res: Response, pageTitle: string) => Record<string, unknown>;
  audit: (site: string, actor: string, action: string, period: string | null, detail: string) => Promise<void>;
}
