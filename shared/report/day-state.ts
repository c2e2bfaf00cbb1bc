import { DAY_MS, floorTo } from "../core/time.js";
import type { TableCoverage, WindowStatus } from "../engine/status.js";

export const DAY_STATES = ["complete", "partial", "in-progress", "failed", "missing"] as const;
export type DayState = (typeof DAY_STATES)[number];

/** One glyph a state, so the state reads without colour (terminal and page alike). */
export const DAY_MARKS: Readonly<Record<DayState, string>> = { complete: "█", partial: "▒", "in-progress": "…", failed: "✗", missing: "·" };

export const DAY_STATE_LABELS: Readonly<Record<DayState, string>> = {
  complete: "complete",
  partial: "partial",
  "in-progress": "in progress",
  failed: "failed",
  missing: "missing",
};

/** A day's state from its windows: failed beats complete beats in progress beats partial beats missing. */
export function dayState(windows: readonly WindowStatus[]): DayState | undefined {
  if (windows.length === 0) return undefined;
  if (windows.some((w) => w.state === "failed")) return "failed";
  if (windows.every((w) => w.state === "exported")) return "complete";
  if (windows.some((w) => w.state === "in-progress")) return "in-progress";
  return windows.some((w) => w.state === "exported") ? "partial" : "missing";
}

/** A table's windows grouped by the UTC day they start in. */
export function windowsByDay(table: TableCoverage): Map<number, WindowStatus[]> {
  const byDay = new Map<number, WindowStatus[]>();
  for (const w of table.windows) {
    const day = floorTo(Date.parse(w.start), DAY_MS);
    const list = byDay.get(day);
    if (list === undefined) byDay.set(day, [w]);
    else list.push(w);
  }
  return byDay;
}
