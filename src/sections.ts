/**
 * Our section inside someone else's document (a newsletter draft): placed between stable
 * markers, replaced in place on every run, and everything outside the markers left byte for byte.
 */
export const SECTION_START = "<!-- community-spotlight:start -->";
export const SECTION_END = "<!-- community-spotlight:end -->";

/**
 * The document with our section inserted (appended when absent) or replaced. `wrap` dresses the
 * marked block when it is appended (e.g. as a platform's raw-HTML block); a replacement only
 * touches what lies between the markers.
 */
export function replaceSection(document: string, section: string, wrap: (block: string) => string = (b) => b): string {
  const block = `${SECTION_START}\n${section.trim()}\n${SECTION_END}`;
  const start = document.indexOf(SECTION_START);
  const end = start === -1 ? -1 : document.indexOf(SECTION_END, start + SECTION_START.length);
  if (start !== -1 && end !== -1) return document.slice(0, start) + block + document.slice(end + SECTION_END.length);
  if (!document.trim()) return wrap(block);
  const sep = document.endsWith("\n\n") ? "" : document.endsWith("\n") ? "\n" : "\n\n";
  return document + sep + wrap(block);
}
