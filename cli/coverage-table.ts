import { DAY_MS, floorTo } from "../shared/core/time.js";
import type { TableCoverage } from "../shared/engine/status.js";
import { DAY_MARKS, DAY_STATE_LABELS, DAY_STATES, dayState, windowsByDay } from "../shared/report/day-state.js";
import { formatBytes, renderTable } from "./table.js";

/** One row per table, one cell per UTC day, then the totals. */
export function coverageTable(tables: readonly TableCoverage[]): string {
  const first = tables[0]?.windows[0];
  if (first === undefined) return "(no windows)";
  const startDay = floorTo(Date.parse(first.start), DAY_MS);
  const cells = (t: TableCoverage): string => {
    const byDay = windowsByDay(t);
    const lastDay = Math.max(...byDay.keys());
    let out = "";
    for (let day = startDay; day <= lastDay; day += DAY_MS) {
      const state = dayState(byDay.get(day) ?? []);
      out += state === undefined ? " " : DAY_MARKS[state];
    }
    return out;
  };
  const rows = tables.map((t) => [
    t.table,
    cells(t),
    t.counts.exported,
    t.counts["in-progress"],
    t.counts.failed,
    t.counts.missing,
    t.rows,
    formatBytes(t.bytes),
    t.lagSeconds === null ? "-" : `${Math.round(t.lagSeconds / 60)} min`,
  ]);
  const legend = `${DAY_STATES.map((s) => `${DAY_MARKS[s]} ${DAY_STATE_LABELS[s]}`).join("  ")}    days from ${new Date(startDay).toISOString().slice(0, 10)}`;
  return `${renderTable([["table", "days", "exported", "in progress", "failed", "missing", "rows", "bytes", "lag"], ...rows])}\n${legend}`;
}
