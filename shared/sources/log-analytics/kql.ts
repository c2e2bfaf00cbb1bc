import { assertTableName } from "../../core/identifiers.js";
import { isoInstant, type TimeRange } from "../../core/time.js";

/** KQL timespan literal for a whole number of milliseconds: `1m`, `1s`, `250ms`. */
export function kqlTimespan(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`bin width must be a positive whole number of ms, got ${ms}`);
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

function timeFilter(table: string, range: TimeRange): string {
  assertTableName(table, "KQL table");
  return `${table}\n| where TimeGenerated >= datetime(${isoInstant(range.startMs)}) and TimeGenerated < datetime(${isoInstant(range.endMs)})`;
}

/** Exact row counts and estimated result bytes per bin: one cheap query that sizes every part. */
export function histogramKql(table: string, range: TimeRange, binMs: number): string {
  return `${timeFilter(table, range)}\n| summarize rows = count(), bytes = sum(estimate_data_size(*)) by bin(TimeGenerated, ${kqlTimespan(binMs)})`;
}

/** The rows of one part, in a stable order so a rerun writes the same bytes. */
export function partKql(table: string, range: TimeRange): string {
  return `${timeFilter(table, range)}\n| sort by TimeGenerated asc, _ItemId asc`;
}
