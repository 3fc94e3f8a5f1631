/** plugin-manifest.json, located relative to this module (works from src/ and dist/src/). */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readFileSync(join(dir, "plugin-manifest.json"));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error(`plugin-manifest.json not found above ${fileURLToPath(import.meta.url)}`);
}

/** The package root: where plugin-manifest.json, templates/ and package.json live. */
export const ROOT = findRoot();

export interface Manifest {
  name: string;
  version: string;
  description: string;
  settingsSchema: Record<string, unknown>;
  [key: string]: unknown;
}

export const manifest: Manifest = JSON.parse(readFileSync(join(ROOT, "plugin-manifest.json"), "utf8"));
