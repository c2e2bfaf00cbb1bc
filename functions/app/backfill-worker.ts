import { app } from "@azure/functions";
import { createWorkerHandler } from "../worker.js";
import { azureExport, backfillQueueName } from "../runtime.js";

/** The backfill queue's trigger: the same worker, deferring its jobs while the planner's queue holds any. */
export const backfillWorkerHandler = createWorkerHandler(azureExport, "backfill");

app.storageQueue("backfillWorker", { queueName: backfillQueueName(), connection: "ExportStorage", handler: backfillWorkerHandler });
