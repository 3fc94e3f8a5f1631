/**
 * What Data Explorer does to a saved query before PostgreSQL sees it, as its source does
 * (core plugins/discourse-data-explorer/lib/discourse_data_explorer/): the parameters declared in
 * the `-- [params]` header (parameter.rb, Parameter.create_from_sql and cast_to_ruby), comments
 * stripped and each `:name` outside literals bound as a positional `$n`, a list expanding to one
 * placeholder per element (data_explorer.rb, strip_comments and rewrite_to_binds).
 */

export interface DeclaredParam {
  identifier: string;
  type: string;
  default: string | null;
  nullable: boolean;
}

export class ValidationError extends Error {}

const TYPES = new Set([
  "int",
  "bigint",
  "boolean",
  "string",
  "date",
  "time",
  "datetime",
  "double",
  "user_id",
  "post_id",
  "topic_id",
  "category_id",
  "group_id",
  "badge_id",
  "int_list",
  "string_list",
  "user_list",
  "group_list",
]);
const ALIASES: Record<string, string> = { integer: "int", text: "string", timestamp: "datetime" };

/** Parameter.create_from_sql: the lines after `-- [params]`, until one that declares nothing. */
export function declaredParams(sql: string): DeclaredParam[] {
  const out: DeclaredParam[] = [];
  let inParams = false;
  for (const line of sql.split("\n")) {
    if (!inParams) {
      if (/^\s*--\s*\[params\]\s*$/.test(line)) inParams = true;
      continue;
    }
    const m = /^\s*--\s*([a-zA-Z_ ]+)\s*:([a-z_]+)\s*(?:=\s+(.*)\s*)?$/.exec(line);
    if (!m) {
      if (/^\s+$/.test(line) || line === "") continue;
      break;
    }
    const n = /^(null)?(.*?)(null)?$/i.exec(m[1]!)!;
    let type = n[2]!.trim();
    type = ALIASES[type] ?? type;
    if (!TYPES.has(type)) throw new ValidationError(`Parameter declaration error - unknown type ${type}`);
    out.push({ identifier: m[2]!, type, default: m[3] ?? null, nullable: !!(n[1] || n[3]) });
  }
  return out;
}

type Value = string | number | boolean | null | Array<string | number | null>;

/** Parameter#cast_to_ruby for the types the simulator needs; the same messages. */
export function castParam(p: DeclaredParam, given: string | undefined): Value {
  const s = given ?? p.default ?? "";
  const invalid = (msg?: string) =>
    new ValidationError(msg ? `'${s}' is an invalid ${p.type} - ${msg}` : `'${s}' is an invalid value for ${p.type}`);
  if (s.trim() === "") {
    if (p.nullable) return null;
    throw new ValidationError(`Missing parameter ${p.identifier} of type ${p.type}`);
  }
  if (s.toLowerCase() === "#null") return null;
  switch (p.type) {
    case "int":
    case "bigint":
      if (!/^-?\d+$/.test(s)) throw invalid("Not an integer");
      return Number(s);
    case "boolean":
      return /t|true|y|yes|1/i.test(s);
    case "string":
      return s;
    case "date":
    case "time":
    case "datetime": {
      if (Number.isNaN(Date.parse(s))) throw invalid("invalid date");
      return s;
    }
    case "double":
      if (!/^-?\d*\.?\d+$/.test(s.trim())) throw invalid();
      return Number(s);
    case "int_list": {
      const list = s.split(",").map((x) => (x.toLowerCase() === "#null" ? null : Number.parseInt(x, 10) || 0));
      if (!list.length) throw invalid("can't be empty");
      return list;
    }
    case "string_list":
      return s.split(",").map((x) => (x.toLowerCase() === "#null" ? null : x));
    default:
      throw invalid();
  }
}

type Segment = ["code" | "literal" | "line_comment" | "block_comment", string];

/** The length of a nested block comment at the start of `rest`, or of the rest when unterminated. */
function blockCommentLength(rest: string): number {
  let depth = 1;
  let j = 2;
  while (depth > 0 && j < rest.length) {
    if (rest.startsWith("*/", j) || rest.startsWith("/*", j)) {
      depth += rest[j] === "*" ? -1 : 1;
      j += 2;
    } else j++;
  }
  return j;
}

const LEXEMES: Array<[Segment[0], RegExp]> = [
  ["line_comment", /^--[^\n]*/],
  ["literal", /^'(?:''|[^'])*'/],
  ["literal", /^"(?:""|[^"])*"/],
  ["literal", /^\$(\w*)\$[\s\S]*?\$\1\$/],
  ["code", /^[^-/'"$]+/],
];

/** scan_sql_segments: code, literals (strings, quoted identifiers, dollar quotes) and comments. */
function segments(sql: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    let seg: Segment;
    if (rest.startsWith("/*")) seg = ["block_comment", rest.slice(0, blockCommentLength(rest))];
    else {
      const hit = LEXEMES.map(([kind, re]) => [kind, re.exec(rest)?.[0]] as const).find(([, m]) => m);
      // An unterminated literal, or a lone - / ' " $, is one character of code: PostgreSQL reports it.
      seg = hit ? [hit[0], hit[1]!] : ["code", rest[0]!];
    }
    out.push(seg);
    i += seg[1].length;
  }
  return out;
}

/** The SQL PostgreSQL runs and its bind values: comments out, `:name` as `$n`. */
export function rewriteToBinds(sql: string, values: Record<string, Value>): { text: string; binds: unknown[] } {
  const binds: unknown[] = [];
  const slots = new Map<string, string>();
  let text = "";
  for (const [kind, part] of segments(sql)) {
    if (kind === "line_comment") continue;
    if (kind === "block_comment") {
      text += " ";
      continue;
    }
    if (kind === "literal") {
      text += part;
      continue;
    }
    text += part.replace(/(?<!:):([a-zA-Z_][a-zA-Z0-9_]*)/g, (whole, name: string) => {
      if (!(name in values)) return whole;
      const known = slots.get(name);
      if (known) return known;
      const v = values[name]!;
      let slot: string;
      if (v === null) slot = "NULL";
      else if (Array.isArray(v))
        slot = v.length
          ? v
              .map((x) => {
                if (x === null) return "NULL";
                binds.push(x);
                return `$${binds.length}`;
              })
              .join(", ")
          : "NULL";
      else {
        binds.push(v);
        slot = `$${binds.length}`;
      }
      slots.set(name, slot);
      return slot;
    });
  }
  return { text, binds };
}
