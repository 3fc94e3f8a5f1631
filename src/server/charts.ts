/** Small server-rendered SVG charts for the dashboard: every label is escaped here. */
import { localDay } from "../period.js";
import { escapeHtml } from "../render/escape.js";

const COLORS: Record<string, string> = {
  solution: "#1a7f37",
  newcomer_reply: "#8250df",
  reply: "#0a5fb4",
  like_received: "#bc4c00",
  topic: "#57606a",
  flagged: "#cf222e",
};

/** One horizontal bar per signal (points), with the numbers as text for screen readers too. */
export function signalBars(points: Record<string, number>, labels: Record<string, string>, max: number): string {
  const rows = Object.entries(points).filter(([, v]) => v !== 0);
  const width = 320;
  const rowH = 22;
  const labelW = 130;
  const scale = (v: number) => Math.max(2, Math.round((Math.abs(v) / Math.max(1, max)) * (width - labelW - 60)));
  const title = rows.map(([k, v]) => `${labels[k] ?? k}: ${v}`).join(", ");
  const body = rows
    .map(([k, v], i) => {
      const y = i * rowH;
      return `<text x="0" y="${y + 15}" font-size="12" fill="#24292f">${escapeHtml(labels[k] ?? k)}</text><rect x="${labelW}" y="${y + 4}" width="${scale(v)}" height="14" fill="${COLORS[k] ?? "#57606a"}"></rect><text x="${labelW + scale(v) + 6}" y="${y + 15}" font-size="12" fill="#24292f">${escapeHtml(String(v))}</text>`;
    })
    .join("");
  return `<svg class="bars" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${Math.max(rowH, rows.length * rowH)}" width="100%" style="max-width:${width}px"><title>${escapeHtml(title)}</title>${body}</svg>`;
}

/** Activity per day over the period, as columns. */
export function dailyChart(
  counts: Array<{ day: string; count: number }>,
  label: string,
  /** The value of a full column (shares: 100); by default the largest count. */
  scale?: number,
): string {
  const width = 600;
  const height = 120;
  const max = scale ?? Math.max(1, ...counts.map((c) => c.count));
  const w = width / Math.max(1, counts.length);
  const cols = counts
    .map((c, i) => {
      const h = Math.round((c.count / max) * (height - 20));
      return `<rect x="${(i * w + 1).toFixed(1)}" y="${height - 16 - h}" width="${Math.max(1, w - 2).toFixed(1)}" height="${h}" fill="#0a5fb4"><title>${escapeHtml(`${c.day}: ${c.count}`)}</title></rect>`;
    })
    .join("");
  const first = counts[0]?.day ?? "";
  const last = counts[counts.length - 1]?.day ?? "";
  return `<svg class="chart" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${width} ${height}" width="100%"><title>${escapeHtml(label)}</title>${cols}<text x="0" y="${height - 2}" font-size="11" fill="#24292f">${escapeHtml(first)}</text><text x="${width}" y="${height - 2}" font-size="11" fill="#24292f" text-anchor="end">${escapeHtml(last)}</text></svg>`;
}

/**
 * A month's activity per local day, from the store's quarter-hour counts (UTC "YYYY-MM-DDTHH:MM"):
 * one entry per calendar day of the period, whatever clock change it holds.
 */
export function countsPerLocalDay(
  periodId: string,
  timeline: Iterable<[string, number]>,
  timeZone: string,
): Array<{ day: string; count: number }> {
  const [year, month] = periodId.split("-").map(Number) as [number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const perDay = new Map<string, number>();
  for (let d = 1; d <= days; d++) perDay.set(`${periodId}-${String(d).padStart(2, "0")}`, 0);
  for (const [quarter, n] of timeline) {
    const day = localDay(`${quarter}:00.000Z`, timeZone);
    if (perDay.has(day)) perDay.set(day, perDay.get(day)! + n);
  }
  return [...perDay].map(([day, count]) => ({ day, count }));
}
