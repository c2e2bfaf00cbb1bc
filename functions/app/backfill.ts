import { app } from "@azure/functions";
import { createBackfillHandler } from "../backfill.js";
import { azureExport, httpAuthLevel } from "../runtime.js";

/** Registration with the Functions host (entry of the function app's bundle); the handler's module itself registers nothing, so it imports cleanly without the host. */
export const backfillHandler = createBackfillHandler(azureExport);

app.http("backfill", { methods: ["POST"], authLevel: httpAuthLevel(), route: "backfill", handler: backfillHandler });
