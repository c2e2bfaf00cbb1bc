import type { HttpRequest } from "@azure/functions";
import { isTableName } from "../shared/core/identifiers.js";
import { DAY_MS, floorTo, HOUR_MS, MINUTE_MS, type TimeRange } from "../shared/core/time.js";
import { MAX_TABLES_PER_REQUEST, tableListProblem, type FieldProblem } from "../shared/engine/backfill.js";
import type { CoverageQuery } from "../shared/engine/status.js";
import type { AzureExportSettings } from "../shared/settings/azure.js";

const MAX_STATUS_WINDOWS = 100_000;
/** Each UTC day of the range costs one ledger read and one manifest listing per table, whatever the window size. */
const MAX_STATUS_TABLE_DAYS = 4_000;
/** Windows not yet exported count as in progress while a run covering them is younger than this. */
export const IN_PROGRESS_HORIZON_MS = 24 * HOUR_MS;

export type CoverageQueryParse = { readonly ok: true; readonly query: CoverageQuery } | { readonly ok: false; readonly problems: FieldProblem[] };

function instantParam(request: HttpRequest, name: string, fallback: number, problems: FieldProblem[]): number {
  const text = request.query.get(name);
  if (text === null || text === "") return fallback;
  const ms = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) problems.push({ name, reason: `must be an ISO-8601 date or instant with a zone, got ${JSON.stringify(text)}` });
  return ms;
}

/** The caps of every status query form: a range of `tableCount` tables over them is one problem, named `name`. */
export function overCaps(range: TimeRange, windowMs: number, tableCount: number, name: string): FieldProblem | undefined {
  const windows = Math.ceil(((range.endMs - range.startMs) / windowMs) * tableCount);
  if (windows > MAX_STATUS_WINDOWS) return { name, reason: `the range covers ${windows} windows, over ${MAX_STATUS_WINDOWS}; ask for a shorter range` };
  const tableDays = Math.ceil((range.endMs - floorTo(range.startMs, DAY_MS)) / DAY_MS) * tableCount;
  if (tableDays > MAX_STATUS_TABLE_DAYS)
    return { name, reason: `the range covers ${tableDays} days of tables, over ${MAX_STATUS_TABLE_DAYS}; ask for a shorter range or fewer tables` };
  return undefined;
}

/** `?table=&start=&end=&windowMinutes=` of GET /api/status and GET /api/coverage, every parameter checked, the range capped. */
export function parseCoverageQuery(request: HttpRequest, settings: AzureExportSettings, nowMs: number, defaultDays: number): CoverageQueryParse {
  const problems: FieldProblem[] = [];
  const tableParam = request.query.get("table");
  const tables = tableParam === null || tableParam === "" ? [...settings.tables] : tableParam.split(",").map((t) => t.trim());
  if (tables.length > MAX_TABLES_PER_REQUEST) {
    problems.push({ name: "table", reason: `lists ${tables.length} names; a query may name at most ${MAX_TABLES_PER_REQUEST} tables` });
  } else {
    const bad = tables.flatMap((t, i) => (isTableName(t) && settings.tables.includes(t) ? [] : [`[${i}] ${JSON.stringify(t)} is not exported here`]));
    if (bad.length > 0) problems.push(tableListProblem("table", bad, settings.tables));
  }
  const minutesText = request.query.get("windowMinutes");
  const minutes = minutesText === null || minutesText === "" ? settings.windowMs / MINUTE_MS : Number(minutesText);
  if (!Number.isInteger(minutes) || minutes < 1 || 1440 % minutes !== 0)
    problems.push({ name: "windowMinutes", reason: `must be a whole number of minutes dividing a day, got ${JSON.stringify(minutesText)}` });
  const windowMs = problems.some((p) => p.name === "windowMinutes") ? settings.windowMs : minutes * MINUTE_MS;
  const endMs = instantParam(request, "end", floorTo(nowMs, windowMs), problems);
  const startMs = instantParam(request, "start", endMs - defaultDays * DAY_MS, problems);
  if (problems.length === 0 && startMs >= endMs) problems.push({ name: "end", reason: "must be after start" });
  const capped = problems.length === 0 ? overCaps({ startMs, endMs }, windowMs, tables.length, "start") : undefined;
  if (capped !== undefined) problems.push(capped);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, query: { tables, range: { startMs, endMs }, windowMs, nowMs, inProgressHorizonMs: IN_PROGRESS_HORIZON_MS } };
}
