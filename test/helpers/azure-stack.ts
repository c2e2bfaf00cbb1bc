import { randomUUID } from "node:crypto";
// @azure/functions is CommonJS; Node's ESM loader exposes InvocationContext only on the default export.
import azureFunctions, { type HttpRequest, type HttpResponseInit, type InvocationContext, type LogHandler, type Timer } from "@azure/functions";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import type { Clock } from "../../shared/core/ports.js";
import { loadAzureExportSettings } from "../../shared/settings/azure.js";
import { createAzureExport, type AzureExport } from "../../shared/wiring/azure.js";
import { createBackfillHandler } from "../../functions/backfill.js";
import { createCoverageHandler } from "../../functions/coverage.js";
import { createPlannerHandler } from "../../functions/planner.js";
import { createStatusHandler } from "../../functions/status.js";
import { createWorkerHandler } from "../../functions/worker.js";
import { OPERATOR_HEADERS } from "./client-principal.js";
import type { FakeLogAnalytics } from "./fake-log-analytics.js";
import { drainQueue, type QueueHostOptions } from "./queue-host.js";
import { uniqueName } from "./storage.js";

export interface AzureStackOptions {
  readonly connectionString: string;
  readonly fake: FakeLogAnalytics;
  readonly tables: readonly string[];
  readonly clock?: Clock;
  /** Extra or replaced settings, by their environment names. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Receives every log line of the handlers (the Functions context log). */
  readonly log?: LogHandler;
}

/** The Azure export wired exactly as in a function app, on Azurite and the fake query API, with names unique to this stack. */
export interface AzureStack {
  readonly env: Readonly<Record<string, string>>;
  readonly exporter: AzureExport;
  readonly data: ContainerClient;
  readonly state: ContainerClient;
  readonly plannerHandler: ReturnType<typeof createPlannerHandler>;
  readonly workerHandler: ReturnType<typeof createWorkerHandler>;
  runPlanner(): ReturnType<ReturnType<typeof createPlannerHandler>>;
  /** Runs the worker over the queue; `fault` may throw for a message before the worker sees it (an outage of that job). */
  drain(options?: Partial<QueueHostOptions>, fault?: (message: unknown) => void): ReturnType<typeof drainQueue>;
  /** POST /api/backfill through the real handler; `body` is sent as given when it is a string; an operator's sign-in unless `headers` say otherwise. */
  backfill(body: unknown, contentType?: string, headers?: Readonly<Record<string, string>>): Promise<HttpResult>;
  /** GET /api/status through the real handler, signed in as an operator unless `headers` say otherwise. */
  status(query: Readonly<Record<string, string>>, headers?: Readonly<Record<string, string>>): Promise<HttpResult>;
  /** GET /api/coverage through the real handler (the body is the page's HTML), signed in as an operator unless `headers` say otherwise. */
  coverage(query: Readonly<Record<string, string>>, headers?: Readonly<Record<string, string>>): Promise<HttpResult>;
  /** Names of the blobs in a container, sorted. */
  list(container: ContainerClient, prefix?: string): Promise<string[]>;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

async function call(
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>,
  request: HttpRequest,
  log: LogHandler,
): Promise<HttpResult> {
  const response = await handler(request, new azureFunctions.InvocationContext({ functionName: "http", invocationId: randomUUID(), logHandler: log }));
  const headers = Object.fromEntries(Object.entries((response.headers ?? {}) as Record<string, string>));
  return { status: response.status ?? 200, headers, body: response.jsonBody ?? response.body };
}

/** The URL as the host gives it: with its query string. */
function withQuery(url: string, query: Readonly<Record<string, string>>): string {
  const search = new URLSearchParams(query).toString();
  return search === "" ? url : `${url}?${search}`;
}

/** As behind App Service authentication: the principal header is the platform's. */
const SIGNED_IN = (): boolean => true;

export const TIMER: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
};

export async function createAzureStack(options: AzureStackOptions): Promise<AzureStack> {
  const env = {
    LOGEXPORT_WORKSPACE_ID: options.fake.workspaceId,
    LOGEXPORT_TABLES: options.tables.join(","),
    AZURE_LOGS_ENDPOINT: `${options.fake.url}/v1`,
    ExportStorage: options.connectionString,
    LOGEXPORT_CONTAINER: uniqueName("data"),
    LOGEXPORT_STATE_CONTAINER: uniqueName("state"),
    LOGEXPORT_QUEUE: uniqueName("jobs"),
    LOGEXPORT_BACKFILL_QUEUE: uniqueName("backfill"),
    // Most suites read the rows back as JSON Lines; the Parquet suites ask for Parquet.
    LOGEXPORT_FORMAT: "jsonl.gz",
    ...options.settings,
  };
  const exporter = createAzureExport(loadAzureExportSettings(env), options.clock);
  await exporter.ensureStorage();
  const blobs = BlobServiceClient.fromConnectionString(options.connectionString);
  const plannerHandler = createPlannerHandler(() => exporter);
  const backfillHandler = createBackfillHandler(() => exporter, SIGNED_IN);
  const statusHandler = createStatusHandler(() => exporter, SIGNED_IN);
  const coverageHandler = createCoverageHandler(() => exporter, SIGNED_IN);
  const workerHandler = createWorkerHandler(() => exporter);
  const backfillWorkerHandler = createWorkerHandler(() => exporter, "backfill");
  const log: LogHandler = options.log ?? (() => undefined);
  return {
    env,
    exporter,
    data: blobs.getContainerClient(env.LOGEXPORT_CONTAINER),
    state: blobs.getContainerClient(env.LOGEXPORT_STATE_CONTAINER),
    plannerHandler,
    workerHandler,
    runPlanner: () => plannerHandler(TIMER, new azureFunctions.InvocationContext({ functionName: "planner", invocationId: randomUUID(), logHandler: log })),
    // The planner's queue, then the backfill's (whose worker waits while the planner's holds jobs): the results added up.
    drain: async (overrides = {}, fault = () => undefined) => {
      const results = [];
      for (const [queue, functionName, handler] of [
        [exporter.queue(), "worker", workerHandler],
        [exporter.backfillQueue(), "backfillWorker", backfillWorkerHandler],
      ] as const) {
        results.push(
          await drainQueue(
            async (message, context) => {
              fault(message);
              await handler(message, context);
            },
            {
              queueUrl: queue.url,
              connectionString: options.connectionString,
              queueName: queue.name,
              functionName,
              maxDequeueCount: 5,
              batchSize: 2,
              log,
              ...overrides,
            },
          ),
        );
      }
      return {
        succeeded: results.reduce((n, r) => n + r.succeeded, 0),
        failed: results.reduce((n, r) => n + r.failed, 0),
        poisoned: results.reduce((n, r) => n + r.poisoned, 0),
      };
    },
    backfill: (body, contentType = "application/json", headers = OPERATOR_HEADERS) =>
      call(
        backfillHandler,
        new azureFunctions.HttpRequest({
          method: "POST",
          url: "http://localhost:7071/api/backfill",
          headers: { ...headers, "content-type": contentType },
          body: { string: typeof body === "string" ? body : JSON.stringify(body) },
        }),
        log,
      ),
    status: (query, headers = OPERATOR_HEADERS) =>
      call(
        statusHandler,
        new azureFunctions.HttpRequest({
          method: "GET",
          url: withQuery("http://localhost:7071/api/status", query),
          query: { ...query },
          headers: { ...headers },
        }),
        log,
      ),
    coverage: (query, headers = OPERATOR_HEADERS) =>
      call(
        coverageHandler,
        new azureFunctions.HttpRequest({
          method: "GET",
          url: withQuery("http://localhost:7071/api/coverage", query),
          query: { ...query },
          headers: { ...headers },
        }),
        log,
      ),
    list: async (container, prefix) => {
      const names: string[] = [];
      for await (const item of container.listBlobsFlat(prefix === undefined ? {} : { prefix })) names.push(item.name);
      return names.sort();
    },
  };
}
