import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { isRunId } from "../shared/core/identifiers.js";
import { MINUTE_MS } from "../shared/core/time.js";
import { readRunRecord } from "../shared/engine/runs.js";
import type { CoverageQuery } from "../shared/engine/status.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { IN_PROGRESS_HORIZON_MS, overCaps, parseCoverageQuery } from "./coverage-query.js";
import { problem } from "./problem.js";
import { APP_ROLES, refuseUnlessRole } from "./roles.js";
import { platformSignInEnabled } from "./runtime.js";

/** GET /api/status?table=&start=&end=&windowMinutes= (coverage) or ?runId= (one backfill's progress), built from manifests and the ledger. `principalTrusted`: whether App Service authentication is in front (tests say so). */
export function createStatusHandler(exporter: () => AzureExport, principalTrusted: () => boolean = platformSignInEnabled) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const { settings, state, clock, coverage } = exporter();
    const refused = refuseUnlessRole(request, APP_ROLES.read, settings.functionKeys, principalTrusted());
    if (refused !== undefined) return refused;
    const nowMs = clock.now();
    const runId = request.query.get("runId");
    if (runId !== null) {
      const run = isRunId(runId) ? await readRunRecord(state, runId) : undefined;
      if (run === undefined)
        return problem(404, "unknown-run", "Unknown run", `no backfill run ${JSON.stringify(runId)}`, [{ name: "runId", reason: "is not a known run id" }]);
      const query: CoverageQuery = {
        tables: run.tables,
        range: { startMs: Date.parse(run.start), endMs: Date.parse(run.end) },
        windowMs: run.windowMinutes * MINUTE_MS,
        nowMs,
        inProgressHorizonMs: IN_PROGRESS_HORIZON_MS,
        exportedBy: run.force ? runId : undefined,
      };
      const capped = overCaps(query.range, query.windowMs, query.tables.length, "runId");
      if (capped !== undefined)
        return problem(
          400,
          "invalid-status-query",
          "Invalid status query",
          `run ${runId} is larger than one status query may read; ask for its tables and range with table=, start= and end=`,
          [capped],
        );
      const tables = await coverage(query);
      const done = tables.reduce((n, t) => n + t.counts.exported, 0);
      return { status: 200, jsonBody: { runId, run, done, total: run.windows, complete: done === run.windows, tables } };
    }
    const parsed = parseCoverageQuery(request, settings, nowMs, 7);
    if (!parsed.ok) return problem(400, "invalid-status-query", "Invalid status query", `${parsed.problems.length} parameter(s) are invalid`, parsed.problems);
    const { range, windowMs } = parsed.query;
    const found = await coverage(parsed.query);
    return {
      status: 200,
      jsonBody: {
        now: new Date(nowMs).toISOString(),
        start: new Date(range.startMs).toISOString(),
        end: new Date(range.endMs).toISOString(),
        windowMinutes: windowMs / MINUTE_MS,
        tables: found,
      },
    };
  };
}
