import { resolve } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { QueueClient, QueueServiceClient } from "@azure/storage-queue";
import { ConfigurationError, InvalidMessageError } from "../core/errors.js";
import { containerNameFor, TABLE_PLACEHOLDER } from "../core/identifiers.js";
import type { JobQueue, LeaseStore, LogSource, Logger, QueryLane, RecordEncoder, StateStore } from "../core/ports.js";
import { describeRange, MINUTE_MS, systemClock, type Clock, type TimeRange } from "../core/time.js";
import { expandRangeJob, type Expansion } from "../engine/backfill.js";
import { planBackfill, type TableBackfillPlan } from "../engine/backfill-plan.js";
import { exportWindow, type ExportDependencies, type ExportOutcome, type ExportWindowOptions } from "../engine/export-window.js";
import type { DecodedJob, WindowJob } from "../engine/messages.js";
import { runPlanner, type PlannerDependencies, type TablePlan } from "../engine/planner.js";
import { readCoverage, type CoverageQuery, type TableCoverage } from "../engine/status.js";
import { sanitizingTransform } from "../engine/transform.js";
import { JsonLinesGzipEncoder } from "../formats/jsonl-gzip/encoder.js";
import { StorageJobQueue } from "../queues/storage-queue.js";
import type { AzureExportSettings, ExportFormat, StorageAccess } from "../settings/azure.js";
import { createLogAnalyticsParquetEncoder } from "../formats/parquet/log-analytics.js";
import { BlobLeaseStore } from "../sinks/blob/leases.js";
import { BlobObjectStore } from "../sinks/blob/store.js";
import { LocalObjectStore } from "../sinks/local/store.js";
import { PrefixedObjectStore } from "../sinks/prefixed.js";
import { isLoopbackHttp } from "../sources/log-analytics/clients.js";
import { LogAnalyticsSource } from "../sources/log-analytics/source.js";
import { chainSlots, LeasedQuerySlots, limitConcurrentQueries, ProcessSlots, type QuerySlots } from "../sources/query-slots.js";
import { readYaml } from "../sanitize/yaml.js";
import { sanitizerFactory } from "./sanitizer.js";

/** State kept beside the data in one container or directory (the CLI's --out) lives under this prefix. */
const STATE_PREFIX = "_logexport/";

/** One credential per process, created only when something needs it (never against the local fake). */
function credentialFactory(clientId: string | undefined): () => TokenCredential {
  let credential: TokenCredential | undefined;
  return () => (credential ??= new DefaultAzureCredential(clientId === undefined ? {} : { managedIdentityClientId: clientId }));
}

/** The SDK throws a bare TypeError on a malformed connection string; the message never quotes it (it holds the account key). */
function blobService(storage: Exclude<StorageAccess, { kind: "directory" }>, credential: () => TokenCredential): BlobServiceClient {
  if (storage.kind === "identity") return new BlobServiceClient(storage.blobServiceUri, credential());
  if (storage.kind === "sas") return new BlobServiceClient(`${storage.blobServiceUri}?${storage.sas}`);
  try {
    return BlobServiceClient.fromConnectionString(storage.connectionString);
  } catch (error) {
    throw new ConfigurationError(`the storage connection string (ExportStorage) is not valid: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function queueClient(storage: StorageAccess, queueName: string, credential: () => TokenCredential): QueueClient {
  if (storage.kind === "connectionString") return new QueueClient(storage.connectionString, queueName);
  if (storage.kind === "identity" && storage.queueServiceUri !== undefined)
    return new QueueServiceClient(storage.queueServiceUri, credential()).getQueueClient(queueName);
  throw new ConfigurationError("this export has no queue (storage without a queue endpoint): jobs can only be run directly");
}

interface Stores {
  /** Where a table's data objects go: one container, or each table its own (`{table}` in the container setting). */
  readonly dataFor: (table: string) => StateStore;
  /** Where the data objects go, for messages (never a secret): the container, or its template. */
  readonly location: string;
  readonly state: StateStore;
  /** Leases in the state container for the identity's query slots; undefined where there is no container of our own (a directory, a SAS, state beside the data). */
  readonly leases: LeaseStore | undefined;
  readonly create: () => Promise<unknown>;
}

function stores(settings: AzureExportSettings, credential: () => TokenCredential): Stores {
  if (settings.storage.kind === "directory") {
    const root = resolve(settings.storage.path);
    const data = new LocalObjectStore(root);
    return {
      dataFor: () => data,
      location: data.location,
      state: new LocalObjectStore(resolve(root, STATE_PREFIX)),
      leases: undefined,
      create: async () => undefined,
    };
  }
  const blobs = blobService(settings.storage, credential);
  const byName = new Map<string, BlobObjectStore>();
  const containers: ContainerClient[] = [];
  const open = (name: string): BlobObjectStore => {
    let store = byName.get(name);
    if (store === undefined) {
      const container = blobs.getContainerClient(name);
      containers.push(container);
      store = new BlobObjectStore(container);
      byName.set(name, store);
    }
    return store;
  };
  const perTable = settings.container.includes(TABLE_PLACEHOLDER);
  const tableStores = new Map(perTable ? settings.tables.map((table) => [table, open(containerNameFor(settings.container, table))]) : []);
  const single = perTable ? undefined : open(settings.container);
  let state: StateStore;
  let leases: LeaseStore | undefined;
  if (settings.stateInDataContainer && single !== undefined) state = new PrefixedObjectStore(single, STATE_PREFIX);
  else {
    const stateContainer = blobs.getContainerClient(settings.stateContainer);
    containers.push(stateContainer);
    state = new BlobObjectStore(stateContainer);
    leases = settings.storage.kind === "sas" ? undefined : new BlobLeaseStore(stateContainer);
  }
  const dataFor = (table: string): StateStore => {
    const store = single ?? tableStores.get(table);
    if (store === undefined) throw new InvalidMessageError(`table ${table} is not exported by this deployment`);
    return store;
  };
  const location = single?.location ?? `${new URL(blobs.url).origin}${new URL(blobs.url).pathname.replace(/\/$/, "")}/${settings.container}`;
  // A container SAS may not create containers: the one it was issued for exists.
  const create = settings.storage.kind === "sas" ? async () => undefined : () => Promise.all(containers.map((c) => c.createIfNotExists()));
  return { dataFor, location, state, leases, create };
}

/** The Azure application layer: what the functions and the CLI do, and nothing they need to build themselves. */
export interface AzureExport {
  readonly settings: AzureExportSettings;
  readonly clock: Clock;
  readonly state: StateStore;
  /** Where the data objects go, for messages (never a secret). */
  readonly location: string;
  /** The planner's job queue; a ConfigurationError for storage without one (the CLI). */
  queue(): QueueClient;
  jobs(): JobQueue;
  /** The backfill's job queue, served only while the planner's is empty. */
  backfillQueue(): QueueClient;
  backfillJobs(): JobQueue;
  /** Whether a backfill job should wait: the planner's queue still holds jobs. */
  scheduledPending(): Promise<boolean>;
  /** What an export of `table` runs on (its format from LOGEXPORT_FORMAT and LOGEXPORT_FORMAT_OVERRIDES); a backfill's queries use the backfill lane of the query slots. */
  exportDependencies(logger: Logger, table: string, lane?: QueryLane): ExportDependencies;
  plannerDependencies(logger: Logger): PlannerDependencies;
  /** Timer: every table's complete windows enqueued, late windows re-enqueued. */
  plan(runId: string, logger: Logger): Promise<TablePlan[]>;
  /** One window, from a queue message or the CLI: skipped when done unless forced. */
  exportWindow(job: WindowJob, logger: Logger, options?: ExportWindowOptions): Promise<ExportOutcome>;
  /** Queue: a window job exported, or a backfill's coarse job expanded into window jobs. */
  runJob(decoded: DecodedJob, logger: Logger): Promise<ExportOutcome | Expansion>;
  coverage(query: CoverageQuery): Promise<TableCoverage[]>;
  /** What a backfill of the range would export and query (the CLI's --dry-run). */
  planBackfill(range: TimeRange, windowMs: number): Promise<TableBackfillPlan[]>;
  /** Creates the containers (and the queue, unless `queue: false`) when missing (Terraform creates them in Azure; this makes local runs work from nothing). */
  ensureStorage(options?: { readonly queue?: boolean }): Promise<void>;
}

/** Adapters a test puts in place of the ones the settings name (in-memory stores, a scripted source). */
export interface AzureAdapters {
  readonly source?: LogSource;
  readonly data?: StateStore;
  readonly state?: StateStore;
  readonly jobs?: JobQueue;
  readonly backfillJobs?: JobQueue;
  /** Where the identity's query-slot leases live (a simulation's in-memory leases). */
  readonly leases?: LeaseStore;
  /** Every table's file format (a simulation's encoder that only counts rows). */
  readonly encoder?: RecordEncoder;
}

/**
 * A queue job this deployment would not have made: a table it does not export, or a window not of its
 * size and alignment (it would archive the same rows again under other names). Refused as an invalid
 * message, which the worker drops without retrying.
 */
function checkJobFits(settings: AzureExportSettings, decoded: DecodedJob): void {
  const { table } = decoded.job;
  if (!settings.tables.includes(table)) throw new InvalidMessageError(`table ${table} is not one this deployment exports (${settings.tables.join(", ")})`);
  const minutes = settings.windowMs / MINUTE_MS;
  if (decoded.kind === "range") {
    if (decoded.job.windowMs !== settings.windowMs)
      throw new InvalidMessageError(`a backfill of ${decoded.job.windowMs / MINUTE_MS}-minute windows; this deployment's windows are ${minutes} minutes`);
    return;
  }
  const { window } = decoded.job;
  if (window.endMs - window.startMs !== settings.windowMs || window.startMs % settings.windowMs !== 0) {
    throw new InvalidMessageError(`window ${describeRange(window)} is not one of this deployment's ${minutes}-minute windows`);
  }
}

export interface AzureExportOptions {
  /**
   * Whether queries take the identity's shared slots (Blob leases in the state container): the
   * function app's do; the CLI, run by a person with their own identity and its own limits, bounds
   * only its process and writes nothing for it (a dry run stays read-only).
   */
  readonly sharedQuerySlots?: boolean;
}

/** The one place that turns Azure settings into concrete adapters. */
export function createAzureExport(
  settings: AzureExportSettings,
  clock: Clock = systemClock,
  adapters: AzureAdapters = {},
  options: AzureExportOptions = {},
): AzureExport {
  const clientId = settings.storage.kind === "identity" ? settings.storage.clientId : undefined;
  const credential = credentialFactory(clientId);
  const opened = stores(settings, credential);
  const raw =
    adapters.source ??
    new LogAnalyticsSource({
      endpoint: settings.logsEndpoint,
      workspaceId: settings.workspaceId,
      credential: isLoopbackHttp(settings.logsEndpoint) ? undefined : credential(),
      queryTimeoutSeconds: settings.queryTimeoutSeconds,
      readIdleSeconds: settings.readIdleSeconds,
    });
  // The service runs 5 queries per identity (docs/capacity.md): one bound for every instance, by leases, not by instance count.
  // The leases live in the state container: a state store put in its place (tests) brings its own or none.
  const leases = options.sharedQuerySlots === false ? undefined : (adapters.leases ?? (adapters.state === undefined ? opened.leases : undefined));
  const local = new ProcessSlots(settings.maxConcurrentQueries);
  const slots: QuerySlots = leases === undefined ? local : chainSlots(local, new LeasedQuerySlots(leases, { count: settings.maxConcurrentQueries, clock }));
  const sources: Record<QueryLane, LogSource> = {
    scheduled: limitConcurrentQueries(raw, slots, "scheduled"),
    backfill: limitConcurrentQueries(raw, slots, "backfill"),
  };
  const source = sources.scheduled;
  const dataFor = (table: string): StateStore => adapters.data ?? opened.dataFor(table);
  const state = adapters.state ?? opened.state;
  let queue: QueueClient | undefined;
  const getQueue = (): QueueClient => (queue ??= queueClient(settings.storage, settings.queue, credential));
  let jobs: JobQueue | undefined;
  const getJobs = (): JobQueue => (jobs ??= adapters.jobs ?? new StorageJobQueue(getQueue()));
  let backfillQueue: QueueClient | undefined;
  const getBackfillQueue = (): QueueClient => (backfillQueue ??= queueClient(settings.storage, settings.backfillQueue, credential));
  let backfillJobs: JobQueue | undefined;
  const getBackfillJobs = (): JobQueue => (backfillJobs ??= adapters.backfillJobs ?? new StorageJobQueue(getBackfillQueue()));
  const encoders: Record<ExportFormat, RecordEncoder> = { parquet: createLogAnalyticsParquetEncoder(), "jsonl.gz": new JsonLinesGzipEncoder() };
  const encoderFor = (table: string): RecordEncoder => adapters.encoder ?? encoders[settings.formats.overrides[table] ?? settings.formats.default];
  const createSanitizer = sanitizerFactory(settings.sanitizer, readYaml);
  const exportDependencies = (logger: Logger, table: string, lane: QueryLane = "scheduled"): ExportDependencies => ({
    source: sources[lane],
    data: dataFor(table),
    state,
    layout: { kind: "part-objects", prefix: settings.prefix },
    encoder: encoderFor(table),
    createTransform: () => sanitizingTransform(createSanitizer()),
    budget: { maxRows: settings.partMaxRows, maxBytes: settings.partMaxBytes },
    partRetry: { attempts: settings.partAttempts, baseDelayMs: settings.retryBaseMs, maxDelayMs: settings.retryMaxMs },
    concurrency: 1,
    clock,
    logger,
  });
  const plannerDependencies = (logger: Logger): PlannerDependencies => ({
    // Not the backfill lane: a planner run slowed behind a backfill makes the timer skip the next run, and scheduled windows wait.
    source,
    state,
    queue: getJobs(),
    clock,
    logger,
    windowMs: settings.windowMs,
    ingestionDelayMs: settings.ingestionDelayMs,
    maxWindowsPerRun: settings.maxWindowsPerRun,
    initialLookbackMs: settings.initialLookbackMs,
    lateDataLookbackMs: settings.lateDataLookbackMs,
    gapRepairAfterMs: settings.gapRepairAfterMs,
  });
  let ensured: Promise<void> | undefined;
  return {
    settings,
    clock,
    state,
    location: adapters.data?.location ?? opened.location,
    queue: getQueue,
    jobs: getJobs,
    backfillQueue: getBackfillQueue,
    backfillJobs: getBackfillJobs,
    scheduledPending: async () => (await getJobs().pending()) > 0,
    exportDependencies,
    plannerDependencies,
    plan: (runId, logger) => runPlanner(plannerDependencies(logger), settings.tables, runId),
    exportWindow: (job, logger, options) => exportWindow(exportDependencies(logger, job.table), job, options),
    runJob: async (decoded, logger) => {
      checkJobFits(settings, decoded);
      if (decoded.kind === "window")
        return exportWindow(exportDependencies(logger, decoded.job.table, decoded.job.reason === "backfill" ? "backfill" : "scheduled"), decoded.job);
      return expandRangeJob(state, getBackfillJobs(), decoded.job);
    },
    coverage: (query) => readCoverage(state, query),
    planBackfill: (range, windowMs) =>
      planBackfill(source, state, settings.tables, range, windowMs, { maxRows: settings.partMaxRows, maxBytes: settings.partMaxBytes }),
    ensureStorage: (options = {}) =>
      (ensured ??= Promise.all([
        opened.create(),
        ...(options.queue === false ? [] : [getQueue().createIfNotExists(), getBackfillQueue().createIfNotExists()]),
      ]).then(
        () => undefined,
        (error: unknown) => {
          ensured = undefined;
          throw error;
        },
      )),
  };
}
