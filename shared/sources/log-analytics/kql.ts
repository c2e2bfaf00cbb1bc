import { assertTableName } from "../../core/identifiers.js";
import { binWidthLiteral, isoInstant, type TimeRange } from "../../core/time.js";

function timeFilter(table: string, range: TimeRange): string {
  assertTableName(table, "KQL table");
  return `${table}\n| where TimeGenerated >= datetime(${isoInstant(range.startMs)}) and TimeGenerated < datetime(${isoInstant(range.endMs)})`;
}

/** Exact row counts and estimated result bytes per bin: one cheap query that sizes every part. */
export function histogramKql(table: string, range: TimeRange, binMs: number): string {
  return `${timeFilter(table, range)}\n| summarize rows = count(), bytes = sum(estimate_data_size(*)) by bin(TimeGenerated, ${binWidthLiteral(binMs)})`;
}

/** The rows of one part, in a stable order so a rerun writes the same bytes. */
export function partKql(table: string, range: TimeRange): string {
  return `${timeFilter(table, range)}\n| sort by TimeGenerated asc, _ItemId asc`;
}
