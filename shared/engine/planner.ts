import { errorMessage, LogExportError } from "../core/errors.js";
import type { Clock, JobQueue, LogSource, Logger, ObjectStore } from "../core/ports.js";
import { describeRange, floorTo, isoInstant, type TimeRange } from "../core/time.js";
import { findGaps } from "./gaps.js";
import { findGrownWindows } from "./late-data.js";
import { encodeWindowJob, type WindowJob } from "./messages.js";
import { watermarkName } from "./naming.js";
import { completeUntil, planWindows } from "./windows.js";

export interface PlannerDependencies {
  readonly source: LogSource;
  readonly state: ObjectStore;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly windowMs: number;
  readonly ingestionDelayMs: number;
  readonly maxWindowsPerRun: number;
  /** Where a table with no watermark yet starts, counted back from the newest complete window. */
  readonly initialLookbackMs: number;
  /** How far back exported windows are re-counted to catch rows that arrived late, and gaps are looked for. */
  readonly lateDataLookbackMs: number;
  /** A planned window without a manifest this long after it became complete is a gap, not in flight. */
  readonly gapRepairAfterMs: number;
}

export interface TablePlan {
  readonly table: string;
  readonly fromMs: number;
  readonly enqueued: number;
  readonly reexported: number;
  /** Windows of the lookback that were planned but have no manifest (their jobs failed for good), enqueued again. */
  readonly repaired: number;
  /** The new watermark, or undefined when nothing was planned or another planner moved it first. */
  readonly advancedToMs: number | undefined;
}

export const WATERMARK_SCHEMA = "logexport.watermark/v1";

interface Watermark {
  readonly ms: number;
  readonly etag: string;
}

async function readWatermark(state: ObjectStore, table: string): Promise<Watermark | undefined> {
  const found = await state.readText(watermarkName(table));
  if (found === undefined) return undefined;
  const parsed: unknown = JSON.parse(found.text);
  const value = typeof parsed === "object" && parsed !== null ? (parsed as { watermark?: unknown }).watermark : undefined;
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new LogExportError(`watermark ${watermarkName(table)} has no valid "watermark" instant; fix or delete it`);
  return { ms, etag: found.etag };
}

/** Exported windows of the lookback (up to what the watermark planned) that now hold more rows than their manifest. */
function findLateWindows(deps: PlannerDependencies, table: string, plannedUntilMs: number): Promise<TimeRange[]> {
  const endMs = Math.min(plannedUntilMs, completeUntil(deps.clock.now(), deps.windowMs, deps.ingestionDelayMs));
  return findGrownWindows({
    source: deps.source,
    state: deps.state,
    table,
    range: { startMs: endMs - deps.lateDataLookbackMs, endMs },
    windowMs: deps.windowMs,
    logger: deps.logger,
  });
}

/** Planned windows of the lookback that should be done by now and have no manifest. */
function findRepairs(deps: PlannerDependencies, table: string, plannedUntilMs: number): Promise<TimeRange[]> {
  const completeMs = completeUntil(deps.clock.now(), deps.windowMs, deps.ingestionDelayMs);
  const endMs = floorTo(Math.min(plannedUntilMs, completeMs - deps.gapRepairAfterMs), deps.windowMs);
  const startMs = floorTo(completeMs - deps.lateDataLookbackMs, deps.windowMs);
  return findGaps({ state: deps.state, table, range: { startMs, endMs }, windowMs: deps.windowMs, max: deps.maxWindowsPerRun });
}

interface ScheduledPlan {
  readonly table: string;
  readonly watermark: Watermark | undefined;
  readonly fromMs: number;
  readonly enqueued: number;
  readonly advancedToMs: number | undefined;
}

/** Pass 1 for one table: the complete windows since its watermark enqueued, and the watermark moved past them. */
async function planScheduled(deps: PlannerDependencies, table: string, runId: string): Promise<ScheduledPlan> {
  const watermark = await readWatermark(deps.state, table);
  const nowMs = deps.clock.now();
  const fromMs = watermark?.ms ?? completeUntil(nowMs, deps.windowMs, deps.ingestionDelayMs) - deps.initialLookbackMs;
  const windows = planWindows({ fromMs, nowMs, windowMs: deps.windowMs, ingestionDelayMs: deps.ingestionDelayMs, maxWindows: deps.maxWindowsPerRun });
  for (const window of windows) await deps.queue.send(encodeWindowJob({ table, window, runId, reason: "scheduled", force: false }));

  const last = windows.at(-1);
  let advancedToMs: number | undefined;
  if (last !== undefined) {
    const text = `${JSON.stringify({ schema: WATERMARK_SCHEMA, table, watermark: isoInstant(last.endMs), updatedAt: isoInstant(nowMs), runId })}\n`;
    const etag = await deps.state.writeText(watermarkName(table), text, watermark === undefined ? { ifNoneMatch: "*" } : { ifMatch: watermark.etag });
    if (etag === undefined) {
      deps.logger.warn("another planner advanced the watermark first; its windows and these are the same jobs, workers skip the duplicates", { runId, table });
    } else {
      advancedToMs = last.endMs;
    }
  }
  return { table, watermark, fromMs, enqueued: windows.length, advancedToMs };
}

/** Pass 2 for one table: windows that grew since their export (late rows) and planned windows still without a manifest (gaps), enqueued. */
async function planRechecks(deps: PlannerDependencies, scheduled: ScheduledPlan, runId: string): Promise<TablePlan> {
  const { table, watermark } = scheduled;
  const late = watermark === undefined ? [] : await findLateWindows(deps, table, watermark.ms);
  const repairs = watermark === undefined ? [] : await findRepairs(deps, table, watermark.ms);
  const jobs: WindowJob[] = [
    ...late.map((window) => ({ table, window, runId, reason: "late" as const, force: true })),
    ...repairs.map((window) => ({ table, window, runId, reason: "repair" as const, force: false })),
  ];
  for (const job of jobs) await deps.queue.send(encodeWindowJob(job));
  if (repairs.length > 0) deps.logger.warn("windows without a manifest enqueued again", { runId, table, windows: repairs.map(describeRange) });
  const { advancedToMs } = scheduled;
  deps.logger.info("table planned", {
    runId,
    table,
    from: isoInstant(scheduled.fromMs),
    enqueued: scheduled.enqueued,
    reexported: late.length,
    repaired: repairs.length,
    watermark: advancedToMs === undefined ? null : isoInstant(advancedToMs),
  });
  return { table, fromMs: scheduled.fromMs, enqueued: scheduled.enqueued, reexported: late.length, repaired: repairs.length, advancedToMs };
}

/**
 * One planner run, in two passes so no table's new windows wait for another table's checks: first
 * every table's complete windows are enqueued (a read and a write per table), then each table's late-data
 * re-count (one histogram query over the lookback) and gap repair. Every table is planned even when
 * another fails; failures are raised together at the end.
 */
export async function runPlanner(deps: PlannerDependencies, tables: readonly string[], runId: string): Promise<TablePlan[]> {
  const failures: string[] = [];
  const fail = (table: string, error: unknown): void => {
    deps.logger.error("planning failed", { runId, table, error: errorMessage(error) });
    failures.push(`${table}: ${errorMessage(error)}`);
  };
  const scheduled: ScheduledPlan[] = [];
  for (const table of tables) {
    try {
      scheduled.push(await planScheduled(deps, table, runId));
    } catch (error) {
      fail(table, error);
    }
  }
  const plans: TablePlan[] = [];
  for (const plan of scheduled) {
    try {
      plans.push(await planRechecks(deps, plan, runId));
    } catch (error) {
      fail(plan.table, error);
    }
  }
  if (failures.length > 0)
    throw new LogExportError(`planner run ${runId} failed for ${failures.length} of ${tables.length} tables: ${failures.join("; ")}`, { retriable: true });
  return plans;
}
