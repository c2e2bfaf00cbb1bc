import type { LogSource, Logger, ObjectStore } from "../core/ports.js";
import { describeRange, type TimeRange } from "../core/time.js";
import { parseManifest } from "./manifest.js";
import { manifestName } from "./naming.js";

export interface LateDataCheck {
  readonly source: LogSource;
  readonly state: ObjectStore;
  readonly table: string;
  /** Whole windows to re-count, aligned to windowMs. */
  readonly range: TimeRange;
  readonly windowMs: number;
  readonly logger: Logger;
}

/**
 * One histogram query over the range, binned by window: the exported windows that now hold more
 * rows than their manifest read are returned, oldest first (late arrivals to re-export). Windows
 * without a manifest are not this check's business (the planner or the schedule exports them).
 */
export async function findGrownWindows(check: LateDataCheck): Promise<TimeRange[]> {
  if (check.range.endMs <= check.range.startMs) return [];
  const bins = await check.source.histogram(check.table, check.range, check.windowMs);
  const grown: TimeRange[] = [];
  for (const bin of bins) {
    const window = { startMs: bin.startMs, endMs: bin.startMs + check.windowMs };
    const found = await check.state.readText(manifestName(check.table, window));
    const manifest = found === undefined ? undefined : parseManifest(found.text);
    if (manifest !== undefined && bin.rows > manifest.readRows) {
      check.logger.info("window has late rows; re-exporting", { table: check.table, window: describeRange(window), read: manifest.readRows, now: bin.rows });
      grown.push(window);
    }
  }
  return grown;
}
