import { app } from "@azure/functions";
import { createWorkerHandler } from "../worker.js";
import { azureExport, jobQueueName } from "../runtime.js";

/** Registration with the Functions host (entry of the function app's bundle); the handler's module itself registers nothing, so it imports cleanly without the host. */
export const workerHandler = createWorkerHandler(azureExport);

app.storageQueue("worker", { queueName: jobQueueName(), connection: "ExportStorage", handler: workerHandler });
