import type { InvocationContext, Timer } from "@azure/functions";
import type { TablePlan } from "../shared/engine/planner.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { contextLogger } from "./runtime.js";

/** Timer trigger: plans complete windows for every table and enqueues one job per (table, window). */
export function createPlannerHandler(exporter: () => AzureExport) {
  return async (_timer: Timer, context: InvocationContext): Promise<TablePlan[]> => {
    const runId = `plan-${context.invocationId}`;
    return exporter().plan(runId, contextLogger(context, { runId }));
  };
}
