import { app } from "@azure/functions";
import { createCoverageHandler } from "../coverage.js";
import { azureExport, httpAuthLevel } from "../runtime.js";

/** Registration with the Functions host (entry of the function app's bundle); the handler's module itself registers nothing, so it imports cleanly without the host. */
export const coverageHandler = createCoverageHandler(azureExport);

app.http("coverage", { methods: ["GET"], authLevel: httpAuthLevel(), route: "coverage", handler: coverageHandler });
