import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { isRunId, isTableName } from "../shared/core/identifiers.js";
import { DAY_MS, floorTo, HOUR_MS, MINUTE_MS } from "../shared/core/time.js";
import type { FieldProblem } from "../shared/engine/backfill.js";
import { readRunRecord } from "../shared/engine/runs.js";
import type { CoverageQuery } from "../shared/engine/status.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { problem } from "./problem.js";

const MAX_STATUS_WINDOWS = 100_000;
/** Each UTC day of the range costs one ledger read and one manifest listing per table, whatever the window size. */
const MAX_STATUS_TABLE_DAYS = 4_000;
/** Windows not yet exported count as in progress while a run covering them is younger than this. */
const IN_PROGRESS_HORIZON_MS = 24 * HOUR_MS;

function instantParam(request: HttpRequest, name: string, fallback: number, problems: FieldProblem[]): number {
  const text = request.query.get(name);
  if (text === null || text === "") return fallback;
  const ms = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) problems.push({ name, reason: `must be an ISO-8601 date or instant with a zone, got ${JSON.stringify(text)}` });
  return ms;
}

/** GET /api/status?table=&start=&end=&windowMinutes= (coverage) or ?runId= (one backfill's progress), built from manifests and the ledger. */
export function createStatusHandler(exporter: () => AzureExport) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const { settings, state, clock, coverage } = exporter();
    const nowMs = clock.now();
    const runId = request.query.get("runId");
    if (runId !== null) {
      const run = isRunId(runId) ? await readRunRecord(state, runId) : undefined;
      if (run === undefined) return problem(404, "unknown-run", "Unknown run", `no backfill run ${JSON.stringify(runId)}`, [{ name: "runId", reason: "is not a known run id" }]);
      const query: CoverageQuery = { tables: run.tables, range: { startMs: Date.parse(run.start), endMs: Date.parse(run.end) }, windowMs: run.windowMinutes * MINUTE_MS, nowMs, inProgressHorizonMs: IN_PROGRESS_HORIZON_MS, exportedBy: run.force ? runId : undefined };
      const tables = await coverage(query);
      const done = tables.reduce((n, t) => n + t.counts.exported, 0);
      return { status: 200, jsonBody: { runId, run, done, total: run.windows, complete: done === run.windows, tables } };
    }
    const problems: FieldProblem[] = [];
    const tableParam = request.query.get("table");
    const tables = tableParam === null || tableParam === "" ? [...settings.tables] : tableParam.split(",").map((t) => t.trim());
    tables.forEach((t, i) => {
      if (!isTableName(t) || !settings.tables.includes(t)) problems.push({ name: `table[${i}]`, reason: `${JSON.stringify(t)} is not one of the exported tables (${settings.tables.join(", ")})` });
    });
    const minutesText = request.query.get("windowMinutes");
    const minutes = minutesText === null || minutesText === "" ? settings.windowMs / MINUTE_MS : Number(minutesText);
    if (!Number.isInteger(minutes) || minutes < 1 || 1440 % minutes !== 0) problems.push({ name: "windowMinutes", reason: `must be a whole number of minutes dividing a day, got ${JSON.stringify(minutesText)}` });
    const windowMs = problems.some((p) => p.name === "windowMinutes") ? settings.windowMs : minutes * MINUTE_MS;
    const endMs = instantParam(request, "end", floorTo(nowMs, windowMs), problems);
    const startMs = instantParam(request, "start", endMs - 7 * DAY_MS, problems);
    if (problems.length === 0 && startMs >= endMs) problems.push({ name: "end", reason: "must be after start" });
    const windows = ((endMs - startMs) / windowMs) * tables.length;
    if (problems.length === 0 && windows > MAX_STATUS_WINDOWS) problems.push({ name: "start", reason: `the range covers ${Math.ceil(windows)} windows, over ${MAX_STATUS_WINDOWS}; ask for a shorter range` });
    const tableDays = Math.ceil((endMs - floorTo(startMs, DAY_MS)) / DAY_MS) * tables.length;
    if (problems.length === 0 && tableDays > MAX_STATUS_TABLE_DAYS) problems.push({ name: "start", reason: `the range covers ${tableDays} days of tables, over ${MAX_STATUS_TABLE_DAYS}; ask for a shorter range or fewer tables` });
    if (problems.length > 0) return problem(400, "invalid-status-query", "Invalid status query", `${problems.length} parameter(s) are invalid`, problems);
    const found = await coverage({ tables, range: { startMs, endMs }, windowMs, nowMs, inProgressHorizonMs: IN_PROGRESS_HORIZON_MS });
    return { status: 200, jsonBody: { now: new Date(nowMs).toISOString(), start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), windowMinutes: windowMs / MINUTE_MS, tables: found } };
  };
}
