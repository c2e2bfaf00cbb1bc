import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { enqueueRangeJobs, planRangeJobs, validateBackfillRequest } from "../shared/engine/backfill.js";
import { newRunId, runRecord, runRecordName } from "../shared/engine/runs.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { problem } from "./problem.js";
import { contextLogger } from "./runtime.js";

/**
 * POST /api/backfill: validates the whole request, records the run, enqueues
 * one coarse job per table and day (workers expand them into windows) and
 * answers 202 at once, whatever the size of the range.
 */
export function createBackfillHandler(exporter: () => AzureExport) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const contentType = request.headers.get("content-type") ?? "";
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      return problem(400, "wrong-content-type", "Wrong content type", `send the request as application/json, not ${JSON.stringify(contentType || "(none)")}`, [{ name: "content-type", reason: "must be application/json" }]);
    }
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return problem(400, "malformed-json", "Malformed JSON", "the request body is not valid JSON", [{ name: "(body)", reason: "is not valid JSON" }]);
    }
    const { settings, state, jobs, clock } = exporter();
    const nowMs = clock.now();
    const validation = validateBackfillRequest(body, {
      nowMs,
      knownTables: settings.tables,
      retentionMs: settings.retentionMs,
      maxWindows: settings.backfillMaxWindows,
      windowMs: settings.windowMs,
    });
    if (!validation.ok) return problem(400, "invalid-backfill", "Invalid backfill request", `${validation.problems.length} field(s) are invalid`, validation.problems);
    const runId = newRunId("bf", nowMs);
    const logger = contextLogger(context, { runId });
    const rangeJobs = planRangeJobs(validation.request, runId);
    await state.writeText(runRecordName(runId), `${JSON.stringify(runRecord(runId, validation.request, validation.windows, rangeJobs.length, nowMs), null, 2)}\n`);
    await enqueueRangeJobs(jobs(), rangeJobs);
    logger.info("backfill accepted", { tables: validation.request.tables, windows: validation.windows, jobs: rangeJobs.length });
    const statusUrl = new URL(`/api/status?runId=${encodeURIComponent(runId)}`, request.url).toString();
    return { status: 202, headers: { location: statusUrl }, jsonBody: { runId, windows: validation.windows, jobs: rangeJobs.length, statusUrl } };
  };
}
