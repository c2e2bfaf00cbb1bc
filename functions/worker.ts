import { app, type InvocationContext } from "@azure/functions";
import { InvalidMessageError } from "../shared/core/errors.js";
import { exportWindow, type ExportOutcome } from "../shared/engine/export-window.js";
import { decodeWindowJob } from "../shared/engine/messages.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { azureExport, contextLogger, jobQueueName } from "./runtime.js";

/**
 * Queue trigger: exports one (table, window). A message that is not a valid
 * job is logged and dropped (retrying cannot fix it); any other failure is
 * thrown so the host retries it and finally moves it to the poison queue.
 */
export function createWorkerHandler(exporter: () => AzureExport) {
  return async (message: unknown, context: InvocationContext): Promise<ExportOutcome | undefined> => {
    const logger = contextLogger(context, { messageId: context.triggerMetadata?.id, dequeueCount: context.triggerMetadata?.dequeueCount });
    let job;
    try {
      job = decodeWindowJob(message);
    } catch (error) {
      if (!(error instanceof InvalidMessageError)) throw error;
      logger.error("rejected an invalid queue message; it will not be retried", { reason: error.message });
      return undefined;
    }
    return exportWindow(exporter().exportDependencies(logger), job);
  };
}

export const workerHandler = createWorkerHandler(azureExport);

app.storageQueue("worker", { queueName: jobQueueName(), connection: "ExportStorage", handler: workerHandler });
