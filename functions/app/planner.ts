import { app } from "@azure/functions";
import { createPlannerHandler } from "../planner.js";
import { azureExport, plannerSchedule } from "../runtime.js";

/** Registration with the Functions host (entry of the function app's bundle); the handler's module itself registers nothing, so it imports cleanly without the host. */
export const plannerHandler = createPlannerHandler(azureExport);

app.timer("planner", { schedule: plannerSchedule(), handler: plannerHandler });
