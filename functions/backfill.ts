import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { enqueueRangeJobs, planRangeJobs, validateBackfillRequest } from "../shared/engine/backfill.js";
import { admitBackfill } from "../shared/engine/backfill-admission.js";
import { newRunId, runRecord, runRecordName } from "../shared/engine/runs.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { IN_PROGRESS_HORIZON_MS } from "./coverage-query.js";
import { problem } from "./problem.js";
import { APP_ROLES, refuseUnlessRole } from "./roles.js";
import { MAX_BODY_BYTES, readBoundedText } from "./request-body.js";
import { SETTINGS } from "../shared/settings/spec.js";
import { isoInstant } from "../shared/core/time.js";
import { errorMessage } from "../shared/core/errors.js";
import { contextLogger, platformSignInEnabled } from "./runtime.js";

/** When a request refused for a busy table may try again: a run's day of windows takes minutes, not seconds. */
const RETRY_AFTER_SECONDS = 300;
/** When a request whose jobs could not be queued may try again: the storage service's own outages pass in seconds to minutes. */
const QUEUE_RETRY_AFTER_SECONDS = 30;

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
      return problem(400, "wrong-content-type", "Wrong content type", `send the request as application/json, not ${JSON.stringify(contentType || "(none)")}`, [
        { name: "content-type", reason: "must be application/json" },
      ]);
    }
    const text = await readBoundedText(request);
    if (text === undefined)
      return problem(413, "body-too-large", "Request body too large", `a backfill request is at most ${MAX_BODY_BYTES} bytes`, [
        { name: "(body)", reason: `is over ${MAX_BODY_BYTES} bytes` },
      ]);
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
    if (!validation.ok)
      return problem(400, "invalid-backfill", "Invalid backfill request", `${validation.problems.length} field(s) are invalid`, validation.problems);
    const { windows } = validation;
    const daily = settings.backfillDailyWindows;
    if (windows > daily)
      return problem(400, "invalid-backfill", "Invalid backfill request", "1 field(s) are invalid", [
        {
          name: "end",
          reason: `the request covers ${windows} windows, more than the daily quota of ${daily} (${SETTINGS.backfillDailyWindows.name}); split it over several days`,
        },
      ]);
    const runId = newRunId("bf", nowMs);
    const admission = await admitBackfill(state, validation.request.tables, windows, runId, { nowMs, horizonMs: IN_PROGRESS_HORIZON_MS, dailyWindows: daily });
    if (!admission.ok && admission.reason === "busy") {
      const { table, since, progress } = admission.busy;
      const held = admission.busy.runId;
      const how = progress === undefined ? "starting" : `${progress.finished} of its ${progress.total} windows of ${table} finished`;
      return problem(
        429,
        "run-in-progress",
        "A run is in progress on this table",
        `table ${table} is being backfilled by run ${held} (created ${since}, ${how}); retry when it is done, or follow /api/status?runId=${held}`,
        [{ name: "tables", reason: `${table} has an active run, ${held}` }],
        { "retry-after": String(RETRY_AFTER_SECONDS) },
      );
    }
    if (!admission.ok) {
      const { used, limit, resetsAtMs } = admission.quota;
      const retryAfter = Math.max(1, Math.ceil((resetsAtMs - nowMs) / 1000));
      return problem(
        429,
        "backfill-quota-exhausted",
        "Daily backfill quota exhausted",
        `today's backfills have covered ${used} of the ${limit} windows the daily quota ${SETTINGS.backfillDailyWindows.name} allows; this request's ${windows} would pass it. The quota starts again at ${isoInstant(resetsAtMs)}`,
        [{ name: "tables", reason: `${windows} more windows would pass the daily quota ${SETTINGS.backfillDailyWindows.name} (${used} of ${limit} used)` }],
        { "retry-after": String(retryAfter) },
      );
    }
    const logger = contextLogger(context, { runId });
    const rangeJobs = planRangeJobs(validation.request, runId);
    try {
      await state.writeText(runRecordName(runId), `${JSON.stringify(runRecord(runId, validation.request, windows, rangeJobs.length, nowMs), null, 2)}\n`);
      await enqueueRangeJobs(backfillJobs(), rangeJobs);
    } catch (error) {
      // Nothing (or only part) was queued: the tables and the quota are given back, so sending the same request again works at once.
      // Jobs already queued still export their windows; the next run's duplicates of them are skipped by the workers.
      logger.error("backfill not started: recording or queueing it failed; tables and quota given back", { error: errorMessage(error) });
      await admission.cancel().catch((cancelError: unknown) => logger.error("giving back the tables and quota failed", { error: errorMessage(cancelError) }));
      return problem(
        503,
        "backfill-not-queued",
        "The backfill could not be queued",
        `run ${runId} could not be recorded or queued (${errorMessage(error)}); its tables and quota were given back: send the same request again`,
        [],
        { "retry-after": String(QUEUE_RETRY_AFTER_SECONDS) },
      );
    }
    logger.info("backfill accepted", { tables: validation.request.tables, windows, jobs: rangeJobs.length });
    const statusUrl = new URL(`/api/status?runId=${encodeURIComponent(runId)}`, request.url).toString();
    return { status: 202, headers: { location: statusUrl }, jsonBody: { runId, windows, jobs: rangeJobs.length, statusUrl } };
  };
}
