/**
 * Programs from Debian that tests and benchmarks start. A missing one is said in one line that
 * names its package, never as a stack trace from spawn (`npm test` and `npm run bench` install
 * them first: scripts/system-packages.sh).
 */
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

export class MissingProgramError extends Error {
  constructor(program: string, debianPackage: string, why: string) {
    super(
      `${program} is not installed (${why}): it comes with Debian's ${debianPackage} package; \`npm test\` installs it when run as root, or run: apt-get install ${debianPackage}`,
    );
    this.name = "MissingProgramError";
    // The message says everything: no stack trace to read through.
    this.stack = `${this.name}: ${this.message}`;
  }
}

function found(program: string, mode: number): boolean {
  const candidates = isAbsolute(program)
    ? [program]
    : (process.env.PATH ?? "")
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  return candidates.some((p) => {
    try {
      accessSync(p, mode);
      return true;
    } catch {
      return false;
    }
  });
}

/** The program's path or name, when it is there; a MissingProgramError naming its package otherwise. */
export function requireProgram(program: string, debianPackage: string, why: string): string {
  if (!found(program, constants.X_OK)) throw new MissingProgramError(program, debianPackage, why);
  return program;
}

/** The same for a package's file that is not a program (WordPress's PHP files). */
export function requireFile(path: string, debianPackage: string, why: string): string {
  if (!found(path, constants.R_OK)) throw new MissingProgramError(path, debianPackage, why);
  return path;
}
