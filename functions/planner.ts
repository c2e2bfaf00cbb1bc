import { app, type InvocationContext, type Timer } from "@azure/functions";
import { runPlanner, type TablePlan } from "../shared/engine/planner.js";
import { azureExport, contextLogger, plannerSchedule } from "./runtime.js";

/** Timer trigger: plans complete windows for every table and enqueues one job per (table, window). */
export async function plannerHandler(_timer: Timer, context: InvocationContext): Promise<TablePlan[]> {
  const exporter = azureExport();
  const runId = `plan-${context.invocationId}`;
  return runPlanner(exporter.plannerDependencies(contextLogger(context, { runId })), exporter.settings.tables, runId);
}

app.timer("planner", { schedule: plannerSchedule(), handler: plannerHandler });
