/**
 * The platforms: one folder each under adapters/ (adapters/types.ts says what it holds). They are
 * found by listing that folder, so adding one changes nothing here; a platform's settings schema is
 * read when a config is checked, its code loaded only when a config names it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Platform } from "../adapters/types.js";
import { ConfigError } from "./errors.js";
import { ROOT } from "./manifest.js";

/** Where the platforms' folders are (their settings schemas are read from here). */
export const ADAPTERS_DIR = join(ROOT, "adapters");
const SCHEMA_FILE = "settings.schema.json";

/** A platform's settings.schema.json: JSON Schema for a site of it, beyond the core's site settings. */
export interface PlatformSchema {
  /** The platform's name as people write it, for messages and docs. */
  title: string;
  description?: string;
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
  [keyword: string]: unknown;
}

let names: readonly string[] | undefined;

/** Every platform there is: the folders of adapters/ that hold a settings.schema.json, by name. */
export function platformNames(): readonly string[] {
  names ??= readdirSync(ADAPTERS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ADAPTERS_DIR, d.name, SCHEMA_FILE)))
    .map((d) => d.name)
    .sort();
  return names;
}

const schemas = new Map<string, PlatformSchema>();

/** A platform's settings schema, read once. */
export function platformSchema(name: string): PlatformSchema {
  let schema = schemas.get(name);
  if (!schema) {
    const file = join(ADAPTERS_DIR, name, SCHEMA_FILE);
    try {
      schema = JSON.parse(readFileSync(file, "utf8")) as PlatformSchema;
    } catch (err) {
      throw new Error(`${file}: cannot be read as JSON (${(err as Error).message})`);
    }
    if (typeof schema?.title !== "string")
      throw new Error(`${file}: needs a "title" (the platform's name as people say it)`);
    schemas.set(name, schema);
  }
  return schema;
}

const loaded = new Map<string, Promise<Platform>>();

/** A platform's descriptor (its adapters/<name>/index.ts), imported the first time it is asked for. */
export function loadPlatform(name: string): Promise<Platform> {
  if (!platformNames().includes(name))
    return Promise.reject(
      new ConfigError([`sites[].platform: no platform "${name}" (there are ${platformNames().join(", ")})`]),
    );
  let platform = loaded.get(name);
  if (!platform) {
    // Built, this module is dist/src/platforms.js beside dist/adapters/; run from source (tsx, the
    // tests) it is src/platforms.ts beside adapters/, and the descriptor is index.ts.
    const entry = new URL(
      `../adapters/${name}/index${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
      import.meta.url,
    ).href;
    platform = import(/* @vite-ignore */ entry).then((m: { default?: Platform }) => {
      const p = m.default;
      if (p?.name !== name || typeof p.create !== "function")
        throw new Error(
          `adapters/${name}/index.ts: its default export must be the Platform "${name}" (adapters/types.ts)`,
        );
      return p;
    });
    loaded.set(name, platform);
  }
  return platform;
}

/** The descriptors of these platforms (each loaded once), by name. */
export async function loadPlatforms(names: Iterable<string>): Promise<ReadonlyMap<string, Platform>> {
  const wanted = [...new Set(names)];
  const platforms = await Promise.all(wanted.map(loadPlatform));
  return new Map(wanted.map((n, i) => [n, platforms[i]!]));
}
