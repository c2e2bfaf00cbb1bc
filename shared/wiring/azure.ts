import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueClient, QueueServiceClient } from "@azure/storage-queue";
import type { JobQueue, Logger, ObjectStore } from "../core/ports.js";
import { systemClock, type Clock } from "../core/time.js";
import type { ExportDependencies } from "../engine/export-window.js";
import type { PlannerDependencies } from "../engine/planner.js";
import { JsonLinesGzipEncoder } from "../formats/jsonl-gzip/encoder.js";
import { StorageJobQueue } from "../queues/storage-queue.js";
import type { AzureExportSettings, StorageAccess } from "../settings/azure.js";
import { BlobObjectStore } from "../sinks/blob/store.js";
import { isLoopbackHttp } from "../sources/log-analytics/clients.js";
import { LogAnalyticsSource } from "../sources/log-analytics/source.js";
import { sanitizerFactory } from "./sanitizer.js";

/** One credential per process, created only when something needs it (never against the local fake). */
function credentialFactory(clientId: string | undefined): () => TokenCredential {
  let credential: TokenCredential | undefined;
  return () => (credential ??= new DefaultAzureCredential(clientId === undefined ? {} : { managedIdentityClientId: clientId }));
}

function blobService(storage: StorageAccess, credential: () => TokenCredential): BlobServiceClient {
  return storage.kind === "connectionString" ? BlobServiceClient.fromConnectionString(storage.connectionString) : new BlobServiceClient(storage.blobServiceUri, credential());
}

function queueClient(storage: StorageAccess, queueName: string, credential: () => TokenCredential): QueueClient {
  return storage.kind === "connectionString"
    ? new QueueClient(storage.connectionString, queueName)
    : new QueueServiceClient(storage.queueServiceUri, credential()).getQueueClient(queueName);
}

export interface AzureExport {
  readonly settings: AzureExportSettings;
  readonly queue: QueueClient;
  readonly jobs: JobQueue;
  readonly state: ObjectStore;
  readonly clock: Clock;
  exportDependencies(logger: Logger): ExportDependencies;
  plannerDependencies(logger: Logger): PlannerDependencies;
  /** Creates the containers and queue when missing (Terraform creates them in Azure; this makes local runs work from nothing). */
  ensureStorage(): Promise<void>;
}

/** The one place that turns settings into concrete adapters. */
export function createAzureExport(settings: AzureExportSettings, clock: Clock = systemClock): AzureExport {
  const clientId = settings.storage.kind === "identity" ? settings.storage.clientId : undefined;
  const credential = credentialFactory(clientId);
  const source = new LogAnalyticsSource({
    endpoint: settings.logsEndpoint,
    workspaceId: settings.workspaceId,
    credential: isLoopbackHttp(settings.logsEndpoint) ? undefined : credential(),
    queryTimeoutSeconds: settings.queryTimeoutSeconds,
    readIdleSeconds: settings.readIdleSeconds,
  });
  const blobs = blobService(settings.storage, credential);
  const dataContainer = blobs.getContainerClient(settings.container);
  const stateContainer = blobs.getContainerClient(settings.stateContainer);
  const data = new BlobObjectStore(dataContainer);
  const state = new BlobObjectStore(stateContainer);
  const queue = queueClient(settings.storage, settings.queue, credential);
  const jobs = new StorageJobQueue(queue);
  const encoder = new JsonLinesGzipEncoder();
  const createSanitizer = sanitizerFactory(settings.sanitizer);
  let ensured: Promise<void> | undefined;
  return {
    settings,
    queue,
    jobs,
    state,
    clock,
    exportDependencies: (logger) => ({
      source,
      data,
      state,
      prefix: settings.prefix,
      encoder,
      createSanitizer,
      budget: { maxRows: settings.partMaxRows, maxBytes: settings.partMaxBytes },
      partRetry: { attempts: settings.partAttempts, baseDelayMs: 1_000 },
      clock,
      logger,
    }),
    plannerDependencies: (logger) => ({
      source,
      state,
      queue: jobs,
      clock,
      logger,
      windowMs: settings.windowMs,
      ingestionDelayMs: settings.ingestionDelayMs,
      maxWindowsPerRun: settings.maxWindowsPerRun,
      initialLookbackMs: settings.initialLookbackMs,
      lateDataLookbackMs: settings.lateDataLookbackMs,
    }),
    ensureStorage: () =>
      (ensured ??= Promise.all([dataContainer.createIfNotExists(), stateContainer.createIfNotExists(), queue.createIfNotExists()]).then(
        () => undefined,
        (error: unknown) => {
          ensured = undefined;
          throw error;
        },
      )),
  };
}
