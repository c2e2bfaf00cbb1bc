import { app } from "@azure/functions";
import { createStatusHandler } from "../status.js";
import { azureExport, httpAuthLevel } from "../runtime.js";

/** Registration with the Functions host (entry of the function app's bundle); the handler's module itself registers nothing, so it imports cleanly without the host. */
export const statusHandler = createStatusHandler(azureExport);

app.http("status", { methods: ["GET"], authLevel: httpAuthLevel(), route: "status", handler: statusHandler });
