/** What every benchmark group shares: the report, the month, the settings and a full garbage collection. */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { defaultSettings } from "../src/config.js";
import { periodOf } from "../src/period.js";

setFlagsFromString("--expose-gc");
/** A full garbage collection (V8's gc(), reached without a command-line flag). */
export const collectGarbage = runInNewContext("gc") as () => void;

/** Every figure reported in this process, in order. */
export const results: Array<Record<string, unknown>> = [];
export const report = (r: Record<string, unknown>) => {
  results.push(r);
  console.log(JSON.stringify(r));
};
export const PERIOD = periodOf("2026-10");
export const settings = { ...defaultSettings(), sites: [] };
