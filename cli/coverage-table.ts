import { DAY_MS, floorTo } from "../shared/core/time.js";
import type { TableCoverage, WindowStatus } from "../shared/engine/status.js";
import { formatBytes, renderTable } from "./table.js";

export const MARKS = { complete: "█", partial: "▒", failed: "✗", inProgress: "…", missing: "·" } as const;

/** One mark for a day's windows: failed beats in progress beats partial. */
export function dayMark(windows: readonly WindowStatus[]): string {
  if (windows.length === 0) return " ";
  if (windows.some((w) => w.state === "failed")) return MARKS.failed;
  if (windows.every((w) => w.state === "exported")) return MARKS.complete;
  if (windows.some((w) => w.state === "in-progress")) return MARKS.inProgress;
  return windows.some((w) => w.state === "exported") ? MARKS.partial : MARKS.missing;
}

/** One row per table, one cell per UTC day, then the totals. */
export function coverageTable(tables: readonly TableCoverage[]): string {
  const first = tables[0]?.windows[0];
  if (first === undefined) return "(no windows)";
  const startDay = floorTo(Date.parse(first.start), DAY_MS);
  const cells = (t: TableCoverage): string => {
    const byDay = new Map<number, WindowStatus[]>();
    for (const w of t.windows) {
      const day = floorTo(Date.parse(w.start), DAY_MS);
      byDay.set(day, [...(byDay.get(day) ?? []), w]);
    }
    const lastDay = Math.max(...byDay.keys());
    let out = "";
    for (let day = startDay; day <= lastDay; day += DAY_MS) out += dayMark(byDay.get(day) ?? []);
    return out;
  };
  const rows = tables.map((t) => [t.table, cells(t), t.counts.exported, t.counts["in-progress"], t.counts.failed, t.counts.missing, t.rows, formatBytes(t.bytes), t.lagSeconds === null ? "-" : `${Math.round(t.lagSeconds / 60)} min`]);
  const legend = `${MARKS.complete} complete  ${MARKS.partial} partial  ${MARKS.inProgress} in progress  ${MARKS.failed} failed  ${MARKS.missing} missing    days from ${new Date(startDay).toISOString().slice(0, 10)}`;
  return `${renderTable([["table", "days", "exported", "in progress", "failed", "missing", "rows", "bytes", "lag"], ...rows])}\n${legend}`;
}
