// npm run lint's size check: no source file over 400 lines, and no line over 120 columns but
// where a string, template or regular expression is what runs past (as ESLint's max-len with
// ignoreStrings, ignoreTemplateLiterals and ignoreRegExpLiterals). Comments always wrap. Biome's
// formatter wraps code at 120 and leaves strings whole; this catches what it cannot.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MAX_LINES = 400;
const MAX_COLUMNS = 120;
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" })
  .split("\n")
  .filter((f) => /\.(ts|mjs|sh|lua|hbs)$/.test(f) && !f.includes("/fixtures/"));
const problems = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    continue; // deleted but not yet staged
  }
  const lines = text.replace(/\n$/, "").split("\n");
  if (lines.length > MAX_LINES)
    problems.push(`${file}: ${lines.length} lines (at most ${MAX_LINES}: split it along its seams)`);
  if (!/\.(ts|mjs|lua)$/.test(file)) continue;
  lines.forEach((line, i) => {
    if (line.length <= MAX_COLUMNS) return;
    const code = line.trim();
    const comment = /^(\/\/|\/\*|\*|--)/.test(code) || / \/\/ /.test(line.slice(0, MAX_COLUMNS));
    const literal = /["'`]/.test(line.slice(0, MAX_COLUMNS)) || /^\/.+\/[a-z]*,?$/.test(code);
    if (comment || !literal) problems.push(`${file}:${i + 1}: ${line.length} columns (at most ${MAX_COLUMNS})`);
  });
}
if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
