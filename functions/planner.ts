import { app, type InvocationContext, type Timer } from "@azure/functions";
import { runPlanner, type TablePlan } from "../shared/engine/planner.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { azureExport, contextLogger, plannerSchedule } from "./runtime.js";

/** Timer trigger: plans complete windows for every table and enqueues one job per (table, window). */
export function createPlannerHandler(exporter: () => AzureExport) {
  return async (_timer: Timer, context: InvocationContext): Promise<TablePlan[]> => {
    const { settings, plannerDependencies } = exporter();
    const runId = `plan-${context.invocationId}`;
    return runPlanner(plannerDependencies(contextLogger(context, { runId })), settings.tables, runId);
  };
}

export const plannerHandler = createPlannerHandler(azureExport);

app.timer("planner", { schedule: plannerSchedule(), handler: plannerHandler });
