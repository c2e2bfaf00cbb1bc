import type { LogSource, ObjectStore } from "../core/ports.js";
import type { TimeRange } from "../core/time.js";
import { windowsWithoutManifest } from "./manifest-index.js";
import type { PartBudget } from "./parts.js";
import { splitRange } from "./windows.js";

/** What a backfill of one table would do, without exporting anything. */
export interface TableBackfillPlan {
  readonly table: string;
  readonly windows: number;
  readonly exported: number;
  readonly toExport: number;
  readonly rowsToExport: number;
  /** The service's estimate of the data in the windows to export (`estimate_data_size`). */
  readonly bytesToExport: number;
  readonly estimatedParts: number;
  /** One histogram per window to export plus its estimated parts (a minute over the budget adds a finer histogram). */
  readonly estimatedQueries: number;
  /** Each window's data is read twice, by its histogram and by its parts: what a per-GB-scanned plan bills. */
  readonly estimatedBytesScanned: number;
  /** What this plan itself read: one histogram over the whole range, all windows included. */
  readonly planBytesScanned: number;
}

/** Windows already exported come from one manifest listing per day; the rest are counted with one histogram query per table. */
export async function planBackfill(
  source: LogSource,
  state: ObjectStore,
  tables: readonly string[],
  range: TimeRange,
  windowMs: number,
  budget: PartBudget,
): Promise<TableBackfillPlan[]> {
  const plans: TableBackfillPlan[] = [];
  for (const table of tables) {
    const windows = splitRange(range, windowMs);
    const todo = await windowsWithoutManifest(state, table, windows);
    const todoStarts = new Set(todo.map((w) => w.startMs));
    const bins = todo.length === 0 ? [] : await source.histogram(table, range, windowMs);
    let rows = 0;
    let bytes = 0;
    let parts = 0;
    for (const bin of bins) {
      if (!todoStarts.has(bin.startMs)) continue;
      rows += bin.rows;
      bytes += bin.bytes;
      parts += Math.max(Math.ceil(bin.rows / budget.maxRows), Math.ceil(bin.bytes / budget.maxBytes));
    }
    const planBytesScanned = bins.reduce((n, bin) => n + bin.bytes, 0);
    plans.push({
      table,
      windows: windows.length,
      exported: windows.length - todo.length,
      toExport: todo.length,
      rowsToExport: rows,
      bytesToExport: bytes,
      estimatedParts: parts,
      estimatedQueries: todo.length + parts,
      estimatedBytesScanned: 2 * bytes,
      planBytesScanned,
    });
  }
  return plans;
}
