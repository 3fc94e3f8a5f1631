#!/usr/bin/env node
// npm run plugin:zip: the WordPress plugin (adapters/wordpress/plugin/community-spotlight/) as the
// zip WordPress's "Upload Plugin" takes: one top folder, community-spotlight/, with
// languages/community-spotlight.pot made from the sources' translatable strings (__(), _e(),
// esc_html__(), esc_html_e(), esc_attr__(), esc_attr_e(), _n(), with their "translators:"
// comments), for translators to start from. Written with Node's zlib (deflate and CRC-32), so it
// needs no zip program; every entry has the same fixed date, so the same sources give the same
// bytes. Usage: node scripts/plugin-zip.mjs [out.zip]
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";

const root = resolve(import.meta.dirname, "..");
const source = join(root, "adapters", "wordpress", "plugin", "community-spotlight");
const out = resolve(process.argv[2] ?? join(root, "dist", "community-spotlight.zip"));

function files(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
}

// 2026-01-01 00:00 in MS-DOS form (the zip format's own dates).
const DOS_TIME = 0;
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1;

const DOMAIN = "community-spotlight";
const unquote = (s) => s.slice(1, -1).replace(/\\(['"\\])/g, "$1");
const po = (s) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/** The gettext template of every translatable string in the plugin's PHP. */
function pot() {
  const entries = new Map();
  // A PHP string literal in single or double quotes (no interpolation in ours).
  const q = `('(?:[^'\\\\]|\\\\.)*'|"(?:[^"\\\\]|\\\\.)*")`;
  const single = new RegExp(
    `\\b(?:__|_e|esc_html__|esc_html_e|esc_attr__|esc_attr_e)\\(\\s*${q}\\s*,\\s*'${DOMAIN}'\\s*\\)`,
    "g",
  );
  const plural = new RegExp(`\\b_n\\(\\s*${q}\\s*,\\s*${q}\\s*,[^,]+,\\s*'${DOMAIN}'\\s*\\)`, "g");
  for (const path of files(source).filter((f) => f.endsWith(".php"))) {
    const text = readFileSync(path, "utf8");
    const where = (index) => `${relative(source, path)}:${text.slice(0, index).split("\n").length}`;
    // The "translators:" comment just before the call (printf( or esc_html( may stand between).
    const note = (index) => {
      const before = text.slice(Math.max(0, index - 300), index).replace(/\s*(?:printf|esc_html|\()\s*\(?\s*$/, "");
      return /\/\*\s*translators:([^*]*)\*\/\s*$/.exec(before)?.[1]?.trim();
    };
    // A plural call's second string is its plural form.
    for (const m of [...text.matchAll(single), ...text.matchAll(plural)]) {
      const id = unquote(m[1]);
      const e = entries.get(id) ?? { refs: [], plural: m[2] ? unquote(m[2]) : null, note: note(m.index) };
      e.refs.push(where(m.index));
      entries.set(id, e);
    }
  }
  const out = [
    "# Community Spotlight: the strings of the WordPress plugin.",
    "# This file is distributed under the same license as the plugin (GPL-2.0-or-later).",
    'msgid ""',
    'msgstr ""',
    '"Project-Id-Version: Community Spotlight\\n"',
    '"MIME-Version: 1.0\\n"',
    '"Content-Type: text/plain; charset=UTF-8\\n"',
    '"Content-Transfer-Encoding: 8bit\\n"',
    `"X-Domain: ${DOMAIN}\\n"`,
    "",
  ];
  for (const [id, e] of entries) {
    if (e.note) out.push(`#. translators: ${e.note}`);
    out.push(`#: ${e.refs.join(" ")}`, `msgid ${po(id)}`);
    if (e.plural) out.push(`msgid_plural ${po(e.plural)}`, 'msgstr[0] ""', 'msgstr[1] ""');
    else out.push('msgstr ""');
    out.push("");
  }
  return { text: out.join("\n"), count: entries.size };
}

const locals = [];
const centrals = [];
let offset = 0;
const template = pot();
const entries = [
  ...files(source).map((path) => [relative(source, path).split("\\").join("/"), readFileSync(path)]),
  [`languages/${DOMAIN}.pot`, Buffer.from(template.text, "utf8")],
];
for (const [inside, data] of entries) {
  const name = Buffer.from(`community-spotlight/${inside}`, "utf8");
  const packed = deflateRawSync(data, { level: 9 });
  const crc = crc32(data);
  // The fields a local header and its central directory entry share, in the same order
  // (APPNOTE 4.3.7 and 4.3.12): from byte 4 of the one and byte 6 of the other.
  const shared = (header, at) => {
    header.writeUInt16LE(20, at); // version needed: 2.0 (deflate)
    header.writeUInt16LE(0x0800, at + 2); // names are UTF-8
    header.writeUInt16LE(8, at + 4); // deflate
    header.writeUInt16LE(DOS_TIME, at + 6);
    header.writeUInt16LE(DOS_DATE, at + 8);
    header.writeUInt32LE(crc, at + 10);
    header.writeUInt32LE(packed.length, at + 14);
    header.writeUInt32LE(data.length, at + 18);
    header.writeUInt16LE(name.length, at + 22);
  };
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  shared(local, 4);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x031e, 4); // made by: Unix, 3.0
  shared(central, 6);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
  central.writeUInt32LE(offset, 42);
  locals.push(local, name, packed);
  centrals.push(central, name);
  offset += local.length + name.length + packed.length;
}
const directory = Buffer.concat(centrals);
const end = Buffer.alloc(22);
end.writeUInt32LE(0x06054b50, 0);
end.writeUInt16LE(centrals.length / 2, 8);
end.writeUInt16LE(centrals.length / 2, 10);
end.writeUInt32LE(directory.length, 12);
end.writeUInt32LE(offset, 16);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, Buffer.concat([...locals, directory, end]));
console.log(`${relative(process.cwd(), out)}: ${centrals.length / 2} files, ${template.count} strings to translate`);
