/**
 * Loading and validating settings against plugin-manifest.json's settingsSchema, the single source
 * of truth for the core's settings and defaults, together with each platform's site settings
 * (adapters/<name>/settings.schema.json). Every problem is reported at once, each with its path.
 */
import { readFileSync } from "node:fs";
import { Ajv2019, type ErrorObject, type ValidateFunction } from "ajv/dist/2019.js";
import { ConfigError } from "./errors.js";
import { manifest } from "./manifest.js";
import { isValidTimeZone } from "./period.js";
import { platformNames, platformSchema } from "./platforms.js";
import type { Settings, SiteSettings } from "./settings.js";
import { clusterNodes, isClusterUrl } from "./store/redis/url.js";

/**
 * The settings schema whole: the manifest's, with a site's `platform` one of the platforms there
 * are and each platform's settings allowed (and their defaults filled) on that platform's sites.
 */
export function settingsSchema(): Record<string, unknown> {
  const schema = structuredClone(manifest.settingsSchema) as {
    properties: { sites: { items: Record<string, unknown> & { properties: Record<string, Record<string, unknown>> } } };
  };
  const site = schema.properties.sites.items;
  const names = platformNames();
  site.properties.platform = { ...site.properties.platform, enum: names };
  site.allOf = names.map((name) => {
    const { title, description, ...fragment } = platformSchema(name);
    return {
      if: { properties: { platform: { const: name } }, required: ["platform"] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable.
      then: { title, description, ...fragment },
    };
  });
  // A platform's settings are known on its sites only: what no schema of the site evaluated is unknown.
  delete site.additionalProperties;
  site.unevaluatedProperties = false;
  return schema;
}

let compiled: ValidateFunction | undefined;
const validator = () =>
  (compiled ??= new Ajv2019({ allErrors: true, useDefaults: true, strict: false, verbose: true }).compile(
    settingsSchema(),
  ));

/** Settings that were renamed, by their old path: the error names the new one. */
const RENAMED: Readonly<Record<string, string>> = Object.fromEntries(
  ["new", "basic", "member", "regular", "leader"].map((name, level) => [
    `scoring.likes.giverWeights.tl${level}`,
    `scoring.likes.giverWeights.${name}`,
  ]),
);

/** `/sites/0/baseUrl` → `sites[0].baseUrl` */
function jsonPath(pointer: string, extra?: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra !== undefined) parts.push(extra);
  let out = "";
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || "(root)";
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case "required":
      return `${jsonPath(e.instancePath, String(e.params.missingProperty))}: is required`;
    case "additionalProperties":
    case "unevaluatedProperties": {
      const path = jsonPath(e.instancePath, String(e.params.additionalProperty ?? e.params.unevaluatedProperty));
      const renamed = RENAMED[path.replace(/\[\d+\]/g, "[]")];
      return `${path}: ${renamed ? `was renamed: use ${renamed}` : "is not a known setting"}`;
    }
    case "enum":
      return `${jsonPath(e.instancePath)}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "type":
      return `${jsonPath(e.instancePath)}: must be ${e.params.type === "integer" ? "an integer" : `a ${e.params.type}`}`;
    case "pattern": {
      const hint = (e.parentSchema as { description?: string } | undefined)?.description;
      return `${jsonPath(e.instancePath)}: ${hint ? `invalid (${hint})` : e.message}`;
    }
    default:
      return `${jsonPath(e.instancePath)}: ${e.message}`;
  }
}

export interface ParseOptions {
  /** Where credential variables are looked up (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Check that the credential variables are set (off for commands that do not call the platform). */
  checkEnv?: boolean;
}

/** Validate a parsed config object, fill defaults, and return typed settings. Throws ConfigError. */
export function parseSettings(raw: unknown, options: ParseOptions = {}): Settings {
  const data = structuredClone(raw ?? {});
  const problems: string[] = [];
  const validate = validator();
  if (!validate(data)) {
    // "must match then": the error inside it is reported on its own.
    for (const e of validate.errors ?? []) if (e.keyword !== "if") problems.push(describe(e));
  }
  const s = data as Settings;
  if (Array.isArray(s.sites)) {
    const ids = new Set<string>();
    s.sites.forEach((site, i) => {
      if (!site || typeof site !== "object") return;
      if (typeof site.baseUrl === "string") {
        let ok = false;
        try {
          const u = new URL(site.baseUrl);
          ok =
            (u.protocol === "http:" || u.protocol === "https:") && !u.username && !u.password && !u.search && !u.hash;
        } catch {
          ok = false;
        }
        if (!ok)
          problems.push(`sites[${i}].baseUrl: must be an absolute http(s) URL without credentials, query or fragment`);
      }
      if (typeof site.id === "string") {
        if (ids.has(site.id)) problems.push(`sites[${i}].id: "${site.id}" is used by another site`);
        ids.add(site.id);
      }
      // null: the platform's own limit (its schema's default; none when it has none).
      if (site.requestsPerMinute === null || site.requestsPerMinute === undefined) {
        const own = platformNames().includes(site.platform)
          ? platformSchema(site.platform).properties?.requestsPerMinute?.default
          : undefined;
        site.requestsPerMinute = typeof own === "number" ? own : Number.POSITIVE_INFINITY;
      }
      if (options.checkEnv !== false && site.credentials && typeof site.credentials === "object") {
        const env = options.env ?? process.env;
        for (const key of ["apiKeyEnv", "apiUsernameEnv"] as const) {
          const name = site.credentials[key];
          if (typeof name === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !env[name])
            problems.push(`sites[${i}].credentials.${key}: environment variable ${name} is not set`);
        }
      }
    });
  }
  if (s.store?.kind === "redis" && options.checkEnv !== false && typeof s.store.redisUrlEnv === "string") {
    const url = (options.env ?? process.env)[s.store.redisUrlEnv];
    if (!url) problems.push(`store.redisUrlEnv: environment variable ${s.store.redisUrlEnv} is not set`);
    else if (isClusterUrl(url)) {
      try {
        clusterNodes(url);
      } catch (err) {
        problems.push(...(err instanceof ConfigError ? err.problems : [String(err)]));
      }
    } else if (!/^rediss?:\/\//.test(url))
      problems.push(
        `store.redisUrlEnv: ${s.store.redisUrlEnv} must hold a redis://, rediss:// or redis+cluster:// URL`,
      );
  }
  if (Array.isArray(s.admin?.accounts)) {
    const names = new Set<string>();
    s.admin.accounts.forEach((a, i) => {
      if (typeof a?.username !== "string") return;
      if (names.has(a.username))
        problems.push(`admin.accounts[${i}].username: "${a.username}" is used by another account`);
      names.add(a.username);
    });
  }
  if (typeof s.server?.publicUrl === "string" && !/^https?:\/\/[^\s]+$/.test(s.server.publicUrl))
    problems.push("server.publicUrl: must be an absolute http(s) URL");
  if (typeof s.timezone === "string" && !isValidTimeZone(s.timezone))
    problems.push(`timezone: unknown IANA time zone "${s.timezone}"`);
  if (typeof s.locale === "string") {
    try {
      Intl.getCanonicalLocales(s.locale);
    } catch {
      problems.push(`locale: "${s.locale}" is not a valid BCP 47 locale`);
    }
  }
  if (problems.length) throw new ConfigError([...new Set(problems)]);
  return s;
}

/** Read and validate a JSON config file. Throws ConfigError (exit 2) on any problem. */
export function loadConfig(file: string, options: ParseOptions = {}): Settings {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${file}: is not valid JSON (${(err as Error).message})`]);
  }
  return parseSettings(raw, options);
}

/** The defaults for everything but sites, straight from the manifest. */
export function defaultSettings(): Omit<Settings, "sites"> {
  const data: Record<string, unknown> = { sites: [] };
  validator()(data);
  delete data.sites;
  return data as unknown as Omit<Settings, "sites">;
}

/** A site entry with every default filled in from the manifest (for code that builds one itself). */
export function siteWithDefaults(
  site: Pick<SiteSettings, "id" | "platform" | "baseUrl" | "credentials"> & Partial<SiteSettings>,
): SiteSettings {
  return parseSettings({ sites: [site] }, { checkEnv: false }).sites[0]!;
}
