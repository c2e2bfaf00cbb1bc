import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { enqueueRangeJobs, planRangeJobs, validateBackfillRequest } from "../shared/engine/backfill.js";
import { activeRunOn } from "../shared/engine/active-runs.js";
import { newRunId, runRecord, runRecordName } from "../shared/engine/runs.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { IN_PROGRESS_HORIZON_MS } from "./coverage-query.js";
import { problem } from "./problem.js";
import { APP_ROLES, refuseUnlessRole } from "./roles.js";
import { MAX_BODY_BYTES, readBoundedText } from "./request-body.js";
import { contextLogger, platformSignInEnabled } from "./runtime.js";

/** When a refused request may try again: a run's day of windows takes minutes, not seconds. */
const RETRY_AFTER_SECONDS = 300;

/**
 * POST /api/backfill: validates the whole request, records the run, enqueues
 * one coarse job per table and day (workers expand them into windows) and
 * answers 202 at once, whatever the size of the range.
 * `principalTrusted`: whether App Service authentication is in front (tests say so explicitly).
 */
export function createBackfillHandler(exporter: () => AzureExport, principalTrusted: () => boolean = platformSignInEnabled) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const { settings, state, backfillJobs, clock } = exporter();
    const refused = refuseUnlessRole(request, APP_ROLES.operate, settings.functionKeys, principalTrusted());
    if (refused !== undefined) return refused;
    const contentType = request.headers.get("content-type") ?? "";
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      return problem(400, "wrong-content-type", "Wrong content type", `send the request as application/json, not ${JSON.stringify(contentType || "(none)")}`, [{ name: "content-type", reason: "must be application/json" }]);
    }
    const text = await readBoundedText(request);
    if (text === undefined) return problem(413, "body-too-large", "Request body too large", `a backfill request is at most ${MAX_BODY_BYTES} bytes`, [{ name: "(body)", reason: `is over ${MAX_BODY_BYTES} bytes` }]);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return problem(400, "malformed-json", "Malformed JSON", "the request body is not valid JSON", [{ name: "(body)", reason: "is not valid JSON" }]);
    }
    const nowMs = clock.now();
    const validation = validateBackfillRequest(body, {
      nowMs,
      knownTables: settings.tables,
      retentionMs: settings.retentionMs,
      maxWindows: settings.backfillMaxWindows,
      windowMs: settings.windowMs,
    });
    if (!validation.ok) return problem(400, "invalid-backfill", "Invalid backfill request", `${validation.problems.length} field(s) are invalid`, validation.problems);
    const busy = await activeRunOn(state, validation.request.tables, nowMs, IN_PROGRESS_HORIZON_MS);
    if (busy !== undefined) {
      const { run, table, finished, total } = busy;
      return problem(429, "run-in-progress", "A run is in progress on this table", `table ${table} is being backfilled by run ${run.runId} (created ${run.createdAt}, ${finished} of its ${total} windows of ${table} finished); retry when it is done, or follow /api/status?runId=${run.runId}`, [{ name: "tables", reason: `${table} has an active run, ${run.runId}` }], { "retry-after": String(RETRY_AFTER_SECONDS) });
    }
    const runId = newRunId("bf", nowMs);
    const logger = contextLogger(context, { runId });
    const rangeJobs = planRangeJobs(validation.request, runId);
    await state.writeText(runRecordName(runId), `${JSON.stringify(runRecord(runId, validation.request, validation.windows, rangeJobs.length, nowMs), null, 2)}\n`);
    await enqueueRangeJobs(backfillJobs(), rangeJobs);
    logger.info("backfill accepted", { tables: validation.request.tables, windows: validation.windows, jobs: rangeJobs.length });
    const statusUrl = new URL(`/api/status?runId=${encodeURIComponent(runId)}`, request.url).toString();
    return { status: 202, headers: { location: statusUrl }, jsonBody: { runId, windows: validation.windows, jobs: rangeJobs.length, statusUrl } };
  };
}
