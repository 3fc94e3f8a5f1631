/** What every part of the Discourse adapter shares. */
import type { Clock } from "../../src/clock.js";
import type { HttpClient } from "../../src/http.js";
import type { Logger } from "../../src/log.js";
import type { AdapterOptions } from "../types.js";

export interface DiscourseContext {
  http: HttpClient;
  apiUsername: string;
  options: AdapterOptions;
  log: Logger;
  now: Clock;
  /** The read-restricted category ids as the last read found them (webhooks mark with it). */
  restricted: Set<number>;
}
