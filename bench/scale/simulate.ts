/**
 * One capacity scenario: the real planner and worker handlers (functions/planner.ts, functions/worker.ts,
 * through shared/wiring), many instances each running host.json's concurrent jobs per queue, the
 * real query slots (Blob-lease algorithm over in-memory leases), retry and Retry-After handling,
 * against the simulated workspace under the service's limits, all on virtual time.
 */
// @azure/functions is CommonJS; Node's ESM loader exposes InvocationContext only on the default export.
import azureFunctions from "@azure/functions";
import { createWorkerHandler } from "../../functions/worker.js";
import { decodeJob } from "../../shared/engine/messages.js";
import { enqueueRangeJobs, planRangeJobs } from "../../shared/engine/backfill.js";
import { completeUntil } from "../../shared/engine/windows.js";
import { DAY_MS, HOUR_MS, MINUTE_MS, type TimeRange } from "../../shared/core/time.js";
import { silentLogger } from "../../shared/core/logger.js";
import { loadAzureExportSettings } from "../../shared/settings/azure.js";
import { SETTINGS } from "../../shared/settings/spec.js";
import { createAzureExport, type AzureExport } from "../../shared/wiring/azure.js";
import { MemoryLeaseStore } from "../../test/helpers/memory-leases.js";
import { IdentityLimiter, LOG_ANALYTICS_LIMITS, type LatencyModel, type QueryLimits } from "../../test/helpers/service-limits.js";
import { keyLinesEncoder, SimQueue, SimStore, type StorageOps } from "./stores.js";
import { VirtualTime } from "./virtual-time.js";
import { rowKey, rowTimes, SimulatedWorkspace, type QueryCounters, type WorkspaceShape } from "./workspace.js";

const { InvocationContext } = azureFunctions;

export interface ScenarioOptions {
  readonly name: string;
  readonly shape: WorkspaceShape;
  readonly latency: LatencyModel;
  readonly limits?: QueryLimits;
  readonly instances: number;
  /** Concurrent jobs per instance and queue (host.json batchSize + newBatchThreshold). */
  readonly jobsPerInstance: number;
  readonly maxConcurrentQueries: number;
  readonly startMs: number;
  /** Simulated time before the run stops (the backfill may not have drained by then). */
  readonly maxDurationMs: number;
  /** At least this long (a steady state's length). */
  readonly minDurationMs: number;
  readonly backfillDays: number;
  /** A source outage, from this long after the start, for this long. */
  readonly outage?: { readonly afterMs: number; readonly durationMs: number };
  /** Write operations per exported object (blocks + commit). */
  readonly writesPerObject: number;
  readonly ingestionDelayMinutes?: number;
  /** false: no shared bound, each instance only bounds its own queries (the design before leases), to compare. */
  readonly sharedBound?: boolean;
}

export interface LagSample {
  readonly atMs: number;
  readonly lagMs: number;
}

export interface ScenarioResult {
  readonly options: ScenarioOptions;
  readonly simulatedMs: number;
  readonly wallMs: number;
  readonly events: number;
  /** Scheduled windows the planner's ticks during the run made due (the run drains them before it ends). */
  readonly scheduledDue: number;
  /** Each scheduled window's lag (manifest committed − window end), at its commit (by its scheduled job, or by gap repair). */
  readonly scheduledLag: readonly LagSample[];
  /** Backfill windows exported by each hour of the run. */
  readonly backfillProgress: readonly { readonly atMs: number; readonly windows: number }[];
  readonly backfillWindows: number;
  readonly backfillDrainedAfterMs: number | undefined;
  readonly queries: QueryCounters;
  readonly ops: StorageOps;
  readonly leaseOps: number;
  readonly executions: number;
  readonly failedInvocations: number;
  readonly deferred: number;
  /** Windows exported by the planner's late-data and gap-repair jobs (gap repair also takes backfill windows of its lookback that wait in the backfill queue). */
  readonly rechecked: number;
  readonly poisoned: number;
  readonly plannerRuns: number;
  readonly plannerMaxMs: number;
  /** Seconds instances were executing, summed over instances. */
  readonly instanceSeconds: number;
  /** Full-scale bytes exported. */
  readonly exportedBytes: number;
  readonly audit: { readonly expected: number; readonly lost: number; readonly duplicated: number; readonly unexpected: number };
}

interface Instance {
  readonly exporter: AzureExport;
  active: number;
  since: number;
  busyMs: number;
}

function settingsFor(options: ScenarioOptions, tables: readonly string[]) {
  const env = {
    LOGEXPORT_WORKSPACE_ID: "00000000-0000-4000-8000-000000000001",
    LOGEXPORT_TABLES: tables.join(","),
    ExportStorage: "UseDevelopmentStorage=true",
    LOGEXPORT_SANITIZE: "off",
    LOGEXPORT_MAX_CONCURRENT_QUERIES: String(options.maxConcurrentQueries),
    // The part budget at the simulation's scale, so a window has as many parts as at full scale.
    LOGEXPORT_PART_MAX_ROWS: String(Math.max(1, Math.floor(200_000 / options.shape.scale))),
    LOGEXPORT_PART_MAX_BYTES: String(Math.max(1024, Math.floor(33_554_432 / options.shape.scale))),
    LOGEXPORT_INITIAL_LOOKBACK_HOURS: "1",
    LOGEXPORT_INGESTION_DELAY_MINUTES: String(options.ingestionDelayMinutes ?? 20),
    LOGEXPORT_WORKSPACE_RETENTION_DAYS: "730",
    LOGEXPORT_BACKFILL_MAX_WINDOWS: "1000000",
  };
  return loadAzureExportSettings(env);
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const wallStart = performance.now();
  const time = new VirtualTime(options.startMs);
  const ops: StorageOps = { writes: 0, reads: 0, lists: 0, queue: 0 };
  const limiter = new IdentityLimiter(options.limits ?? LOG_ANALYTICS_LIMITS, time);
  const outage =
    options.outage === undefined
      ? undefined
      : { startMs: options.startMs + options.outage.afterMs, endMs: options.startMs + options.outage.afterMs + options.outage.durationMs };
  const workspace = new SimulatedWorkspace({ shape: options.shape, time, limiter, latency: options.latency, ...(outage === undefined ? {} : { outage }) });
  const tables = workspace.tables.map((t) => t.name);
  const settings = settingsFor(options, tables);
  const store = new SimStore(ops, options.writesPerObject);
  const scheduledQueue = new SimQueue("scheduled", time, ops);
  const backfillQueue = new SimQueue("backfill", time, ops);
  const leases = new MemoryLeaseStore(time);
  const adapters = {
    source: workspace,
    data: store,
    state: store,
    jobs: scheduledQueue,
    backfillJobs: backfillQueue,
    encoder: keyLinesEncoder,
    ...(options.sharedBound === false ? {} : { leases }),
  };
  const instances: Instance[] = Array.from({ length: options.instances }, () => ({
    exporter: createAzureExport(settings, time, adapters),
    active: 0,
    since: 0,
    busyMs: 0,
  }));

  const scheduledLag: LagSample[] = [];
  const backfillProgress: { atMs: number; windows: number }[] = [];
  let backfillExported = 0;
  let executions = 0;
  let failedInvocations = 0;
  let deferred = 0;
  let rechecked = 0;
  let exportedRows = 0;
  let stopping = false;

  // The planner's timer as the default NCRONTAB sets it (second 0 of minute M of every hour); its first tick plans one window per table (lookback 1 h).
  const firstTickMs = nextTick(options.startMs, plannerMinute());
  // The backfill, as POST /api/backfill enqueues it after validation: one day job per table and day.
  const firstScheduledMs = completeUntil(firstTickMs, settings.windowMs, settings.ingestionDelayMs) - HOUR_MS;
  const backfillRange: TimeRange = { startMs: firstScheduledMs - options.backfillDays * DAY_MS, endMs: firstScheduledMs };
  const backfillWindows = (options.backfillDays * DAY_MS * tables.length) / settings.windowMs;
  if (options.backfillDays > 0) {
    await enqueueRangeJobs(
      backfillQueue,
      planRangeJobs({ tables, range: backfillRange, windowMs: settings.windowMs, force: false, allowShrink: false }, "bf-scale"),
    );
  }

  const begin = (instance: Instance): void => {
    if (instance.active === 0) instance.since = time.now();
    instance.active += 1;
  };
  const end = (instance: Instance): void => {
    instance.active -= 1;
    if (instance.active === 0) instance.busyMs += time.now() - instance.since;
  };

  async function workerLoop(instance: Instance, queue: SimQueue, lane: "scheduled" | "backfill", first: boolean): Promise<void> {
    const handler = createWorkerHandler(() => instance.exporter, lane);
    let pollMs = 100;
    while (!stopping || queue.length > 0) {
      const message = queue.receive();
      if (message === undefined) {
        // The host polls each queue once per instance, backing off to maxPollingInterval (10 s).
        if (first) ops.queue += 1;
        await time.sleep(pollMs);
        pollMs = Math.min(pollMs * 2, 10_000);
        continue;
      }
      pollMs = 100;
      executions += 1;
      begin(instance);
      const context = new InvocationContext({
        functionName: lane === "scheduled" ? "worker" : "backfillWorker",
        invocationId: `i${executions}`,
        logHandler: () => undefined,
        triggerMetadata: { dequeueCount: message.dequeueCount },
      });
      try {
        const outcome = await handler(message.text, context);
        queue.complete();
        if (outcome !== undefined && "deferred" in outcome) deferred += 1;
        if (outcome !== undefined && "status" in outcome && outcome.status === "exported") {
          const decoded = decodeJob(message.text);
          exportedRows += outcome.manifest.exportedRows;
          if (decoded.kind === "window" && decoded.job.reason === "backfill") backfillExported += 1;
          // A scheduled window counts when the schedule exports it, or gap repair after its job failed for good.
          else if (
            decoded.kind === "window" &&
            (decoded.job.reason === "scheduled" || (decoded.job.reason === "repair" && decoded.job.window.startMs >= firstScheduledMs))
          )
            scheduledLag.push({ atMs: time.now(), lagMs: time.now() - decoded.job.window.endMs });
          else if (decoded.kind === "window") rechecked += 1;
        }
      } catch {
        failedInvocations += 1;
        queue.fail(message, 60_000, 5);
      } finally {
        end(instance);
      }
    }
  }

  let plannerRuns = 0;
  let plannerMaxMs = 0;
  let plannerBusy = false;
  async function plannerLoop(): Promise<void> {
    const planner = instances[0] as Instance;
    // A run still going at the next tick makes the host skip it.
    let next = firstTickMs;
    while (!stopping) {
      await time.sleep(next - time.now());
      next += HOUR_MS;
      if (stopping || plannerBusy) continue;
      plannerBusy = true;
      plannerRuns += 1;
      const started = time.now();
      begin(planner);
      planner.exporter
        .plan(`plan-${plannerRuns}`, silentLogger)
        .catch(() => undefined)
        .finally(() => {
          end(planner);
          plannerMaxMs = Math.max(plannerMaxMs, time.now() - started);
          plannerBusy = false;
        });
    }
  }

  const loops: Promise<void>[] = [plannerLoop()];
  instances.forEach((instance) => {
    for (let j = 0; j < options.jobsPerInstance; j += 1) {
      loops.push(workerLoop(instance, scheduledQueue, "scheduled", j === 0));
      loops.push(workerLoop(instance, backfillQueue, "backfill", j === 0));
    }
  });

  // Hour by hour until the backfill is drained (and the steady state has run its minimum), or the cap.
  let drainedAt: number | undefined;
  for (let t = options.startMs + HOUR_MS; t <= options.startMs + options.maxDurationMs; t += HOUR_MS) {
    await time.run(t);
    backfillProgress.push({ atMs: t, windows: backfillExported });
    if (drainedAt === undefined && options.backfillDays > 0 && backfillQueue.length === 0) drainedAt = t;
    const backfillDone = options.backfillDays === 0 || drainedAt !== undefined;
    if (backfillDone && t - options.startMs >= options.minDurationMs) break;
  }
  const simulatedMs = time.now() - options.startMs;
  const lastTickMs = nextTick(time.now() - HOUR_MS + 1, plannerMinute());
  const scheduledDue =
    lastTickMs < firstTickMs
      ? 0
      : ((completeUntil(lastTickMs, settings.windowMs, settings.ingestionDelayMs) - firstScheduledMs) / settings.windowMs) * tables.length;
  // Stop the planner; let the workers finish what is queued (planner runs already started complete first).
  stopping = true;
  await time.run(
    time.now() + 7 * DAY_MS,
    () => !plannerBusy && scheduledQueue.length === 0 && backfillQueue.length === 0 && instances.every((i) => i.active === 0),
  );
  await time.run(time.now() + 20_000);

  const audit = await auditRows(store, workspace, backfillRange, options.backfillDays > 0);
  const exportedBytes = exportedRows * options.shape.bytesPerRow * options.shape.scale;
  return {
    options,
    simulatedMs,
    wallMs: performance.now() - wallStart,
    events: time.events,
    scheduledLag,
    scheduledDue,
    backfillProgress,
    backfillWindows,
    backfillDrainedAfterMs: drainedAt === undefined ? undefined : drainedAt - options.startMs,
    queries: workspace.counters,
    ops,
    leaseOps: leases.operations,
    executions,
    failedInvocations,
    deferred,
    rechecked,
    poisoned: scheduledQueue.poisoned + backfillQueue.poisoned,
    plannerRuns,
    plannerMaxMs,
    instanceSeconds: instances.reduce((n, i) => n + i.busyMs, 0) / 1000,
    exportedBytes,
    audit,
  };
}

/** The minute of the hour of the default planner schedule ("0 M * * * *"), the one the simulation runs. */
export function plannerMinute(): number {
  const fields = SETTINGS.plannerSchedule.default.split(" ");
  const minute = Number(fields[1]);
  if (fields.length !== 6 || fields[0] !== "0" || !Number.isInteger(minute) || fields.slice(2).some((f) => f !== "*"))
    throw new Error(`the simulation runs an hourly planner ("0 M * * * *"); the default schedule is ${SETTINGS.plannerSchedule.default}`);
  return minute;
}

/** The first tick of an hourly timer at this minute at or after ms. */
export function nextTick(ms: number, minute: number): number {
  const tick = Math.floor(ms / HOUR_MS) * HOUR_MS + minute * MINUTE_MS;
  return tick < ms ? tick + HOUR_MS : tick;
}

/** Every source row of every window the run should have exported (backfill range and planned windows), against the row keys in storage. */
async function auditRows(store: SimStore, workspace: SimulatedWorkspace, backfill: TimeRange, withBackfill: boolean) {
  let expected = 0;
  let lost = 0;
  let duplicated = 0;
  const seen = new Set<string>();
  for (const [index, table] of workspace.tables.entries()) {
    const watermark = await store.readText(`watermarks/${table.name}.json`);
    const untilMs = watermark === undefined ? backfill.endMs : Date.parse((JSON.parse(watermark.text) as { watermark: string }).watermark);
    const fromMs = withBackfill ? backfill.startMs : backfill.endMs;
    for (const t of rowTimes(table, index, { startMs: fromMs, endMs: untilMs })) {
      const key = rowKey(table.name, t, 0);
      seen.add(key);
      expected += 1;
      const count = store.rows.get(key) ?? 0;
      if (count === 0) lost += 1;
      else duplicated += count - 1;
    }
  }
  let unexpected = 0;
  for (const [key, count] of store.rows) if (count > 0 && !seen.has(key)) unexpected += count;
  return { expected, lost, duplicated, unexpected };
}
