import type { InvocationContext } from "@azure/functions";
import { InvalidMessageError, ShrinkRefusedError } from "../shared/core/errors.js";
import { describeRange } from "../shared/core/time.js";
import type { Expansion } from "../shared/engine/backfill.js";
import type { ExportOutcome } from "../shared/engine/export-window.js";
import { decodeJob, encodeRangeJob, encodeWindowJob, type DecodedJob } from "../shared/engine/messages.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { sleepOn } from "../shared/engine/retry.js";
import { contextLogger } from "./runtime.js";

/** Whether the planner's queue is empty now or within BACKFILL_DEFER_SECONDS, looking every BACKFILL_RECHECK_SECONDS. */
async function scheduledQueueEmpties(azure: AzureExport): Promise<boolean> {
  for (let waited = 0; waited < BACKFILL_DEFER_SECONDS; waited += BACKFILL_RECHECK_SECONDS) {
    if (!(await azure.scheduledPending())) return true;
    await sleepOn(azure.clock, BACKFILL_RECHECK_SECONDS * 1000);
  }
  return !(await azure.scheduledPending());
}

/** While the planner's queue holds jobs, a backfill job looks again this often… */
export const BACKFILL_RECHECK_SECONDS = 10;
/** …for up to this long, then goes back to its queue for as long (so an invocation never waits for hours, and messages do not churn). */
export const BACKFILL_DEFER_SECONDS = 300;

export type WorkerQueue = "scheduled" | "backfill";

export interface Deferral {
  readonly deferred: true;
}

/**
 * Queue trigger: exports one (table, window), or expands a backfill's coarse
 * job into window jobs. A message that is not a valid job of this deployment,
 * or a re-export refused because it would shrink the archive, is logged and
 * dropped (retrying cannot fix it; the ledger records the refusal); any other
 * failure is thrown so the host retries it and finally moves it to the
 * poison queue. On the backfill queue, a job first waits while the planner's
 * queue holds any job (looking every BACKFILL_RECHECK_SECONDS), and after
 * BACKFILL_DEFER_SECONDS goes back to its queue for as long: scheduled windows
 * are always served first.
 */
export function createWorkerHandler(exporter: () => AzureExport, queue: WorkerQueue = "scheduled") {
  return async (message: unknown, context: InvocationContext): Promise<ExportOutcome | Expansion | Deferral | undefined> => {
    const logger = contextLogger(context, { messageId: context.triggerMetadata?.id, dequeueCount: context.triggerMetadata?.dequeueCount });
    let decoded: DecodedJob;
    try {
      decoded = decodeJob(message);
    } catch (error) {
      if (!(error instanceof InvalidMessageError)) throw error;
      logger.error("rejected an invalid queue message; it will not be retried", { reason: error.message });
      return undefined;
    }
    if (queue === "backfill" && !(await scheduledQueueEmpties(exporter()))) {
      await exporter()
        .backfillJobs()
        .send(decoded.kind === "window" ? encodeWindowJob(decoded.job) : encodeRangeJob(decoded.job), { delaySeconds: BACKFILL_DEFER_SECONDS });
      logger.info("backfill job deferred: scheduled windows wait", { table: decoded.job.table, delaySeconds: BACKFILL_DEFER_SECONDS });
      return { deferred: true };
    }
    let outcome: ExportOutcome | Expansion;
    try {
      outcome = await exporter().runJob(decoded, logger);
    } catch (error) {
      // A job this deployment would not make, or a re-export that would shrink the archive: the same every time.
      if (!(error instanceof InvalidMessageError || error instanceof ShrinkRefusedError)) throw error;
      logger.error("refused a job; it will not be retried", { reason: error.message });
      return undefined;
    }
    if (decoded.kind === "range")
      logger.info("backfill range expanded", { runId: decoded.job.runId, table: decoded.job.table, range: describeRange(decoded.job.range), ...outcome });
    return outcome;
  };
}
