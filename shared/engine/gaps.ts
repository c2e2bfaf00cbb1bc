import type { ObjectStore } from "../core/ports.js";
import type { TimeRange } from "../core/time.js";
import { manifestNamesIn } from "./manifest-index.js";
import { manifestName } from "./naming.js";
import { splitRange } from "./windows.js";

export interface GapSearch {
  readonly state: ObjectStore;
  readonly table: string;
  /** Whole windows, aligned to windowMs: where to look (the late-data lookback, short of what may still be in flight). */
  readonly range: TimeRange;
  readonly windowMs: number;
  /** Most windows returned (oldest first); the next run finds the rest. */
  readonly max: number;
}

/**
 * Windows of the range without a manifest, from the first window that has one on: exports that failed
 * for good (the poison queue, the dead-letter queue) or never ran. Windows before the first manifest of
 * the range are left alone, so a new deployment does not reach back beyond where it started. One listing
 * per UTC day of the range, no reads.
 */
export async function findGaps(search: GapSearch): Promise<TimeRange[]> {
  if (search.range.endMs <= search.range.startMs || search.max <= 0) return [];
  const done = await manifestNamesIn(search.state, search.table, search.range);
  const windows = splitRange(search.range, search.windowMs);
  const first = windows.findIndex((window) => done.has(manifestName(search.table, window)));
  if (first < 0) return [];
  return windows
    .slice(first)
    .filter((window) => !done.has(manifestName(search.table, window)))
    .slice(0, search.max);
}
