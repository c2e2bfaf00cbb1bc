import { app, type InvocationContext } from "@azure/functions";
import { InvalidMessageError } from "../shared/core/errors.js";
import { describeRange } from "../shared/core/time.js";
import type { Expansion } from "../shared/engine/backfill.js";
import type { ExportOutcome } from "../shared/engine/export-window.js";
import { decodeJob, type DecodedJob } from "../shared/engine/messages.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { azureExport, contextLogger, jobQueueName } from "./runtime.js";

/**
 * Queue trigger: exports one (table, window), or expands a backfill's coarse
 * job into window jobs. A message that is not a valid job is logged and
 * dropped (retrying cannot fix it); any other failure is thrown so the host
 * retries it and finally moves it to the poison queue.
 */
export function createWorkerHandler(exporter: () => AzureExport) {
  return async (message: unknown, context: InvocationContext): Promise<ExportOutcome | Expansion | undefined> => {
    const logger = contextLogger(context, { messageId: context.triggerMetadata?.id, dequeueCount: context.triggerMetadata?.dequeueCount });
    let decoded: DecodedJob;
    try {
      decoded = decodeJob(message);
    } catch (error) {
      if (!(error instanceof InvalidMessageError)) throw error;
      logger.error("rejected an invalid queue message; it will not be retried", { reason: error.message });
      return undefined;
    }
    const outcome = await exporter().runJob(decoded, logger);
    if (decoded.kind === "range") logger.info("backfill range expanded", { runId: decoded.job.runId, table: decoded.job.table, range: describeRange(decoded.job.range), ...outcome });
    return outcome;
  };
}

export const workerHandler = createWorkerHandler(azureExport);

app.storageQueue("worker", { queueName: jobQueueName(), connection: "ExportStorage", handler: workerHandler });
