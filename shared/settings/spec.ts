/** One setting the code reads. Terraform sets exactly these names (a test compares them). */
export interface SettingSpec {
  readonly name: string;
  readonly description: string;
  /** Shown in docs; undefined means required or optional without a default. */
  readonly default?: string;
  readonly required?: boolean;
}

/** The part backoff both clouds read under the same names (Azure worker, Lambda, CLIs). */
export const RETRY_BACKOFF_SETTINGS = {
  retryBaseMs: {
    name: "LOGEXPORT_RETRY_BASE_MS",
    default: "1000",
    description: "Backoff before a part's second try; doubled before each later try, with jitter (half fixed, half random).",
  },
  retryMaxMs: {
    name: "LOGEXPORT_RETRY_MAX_MS",
    default: "30000",
    description:
      "Longest backoff between two tries of a part: the doubling from LOGEXPORT_RETRY_BASE_MS stops here (seed 000's backoff cap); at least the base.",
  },
} as const satisfies Record<string, SettingSpec>;

export const SETTINGS = {
  workspaceId: { name: "LOGEXPORT_WORKSPACE_ID", required: true, description: "Log Analytics workspace id (a GUID) to export from." },
  tables: { name: "LOGEXPORT_TABLES", required: true, description: "Comma-separated table names to export, e.g. `AppRequests,SecurityEvent`." },
  logsEndpoint: {
    name: "AZURE_LOGS_ENDPOINT",
    default: "https://api.loganalytics.io/v1",
    description: "Log Analytics query endpoint including `/v1` (sovereign clouds, or the local fake: a loopback http URL, used without a credential).",
  },
  storageConnection: {
    name: "ExportStorage",
    description: "Storage connection string (local development). In Azure use the identity-based settings below instead.",
  },
  storageBlobUri: {
    name: "ExportStorage__blobServiceUri",
    description: "Blob endpoint for identity-based access, e.g. `https://<account>.blob.core.windows.net`.",
  },
  storageQueueUri: {
    name: "ExportStorage__queueServiceUri",
    description: "Queue endpoint for identity-based access, e.g. `https://<account>.queue.core.windows.net`.",
  },
  storageClientId: { name: "ExportStorage__clientId", description: "Client id of the user-assigned managed identity used for storage and Log Analytics." },
  container: {
    name: "LOGEXPORT_CONTAINER",
    default: "log-exports",
    description:
      "Blob container for exported data; with `{table}` in it, each table gets its own (`logs-{table}` → `logs-apprequests`, `logs-custom-cl`: lowercase, `_` as `-`).",
  },
  stateContainer: { name: "LOGEXPORT_STATE_CONTAINER", default: "log-export-state", description: "Blob container for watermarks, manifests and the ledger." },
  prefix: { name: "LOGEXPORT_PREFIX", default: "", description: "Path prefix inside the data container (empty: objects start at `table=`)." },
  queue: {
    name: "LOGEXPORT_QUEUE",
    default: "log-export-windows",
    description: "Storage queue of the planner's window jobs (scheduled, late data, gap repair); failed jobs go to `<queue>-poison`.",
  },
  backfillQueue: {
    name: "LOGEXPORT_BACKFILL_QUEUE",
    default: "log-export-backfill",
    description:
      "Storage queue of backfill jobs (a run's day jobs and their windows); its worker defers each job while the planner's queue holds any (scheduled windows first, docs/capacity.md); failed jobs go to `<queue>-poison`.",
  },
  plannerSchedule: {
    name: "LOGEXPORT_PLANNER_SCHEDULE",
    default: "0 25 * * * *",
    description:
      "NCRONTAB schedule of the planner (six fields, UTC). The default, minute 25, is 5 minutes after the default ingestion delay completes the last hour; keep that gap when you change the delay (Terraform derives it).",
  },
  windowMinutes: { name: "LOGEXPORT_WINDOW_MINUTES", default: "60", description: "Window size in minutes; must divide a day." },
  ingestionDelayMinutes: {
    name: "LOGEXPORT_INGESTION_DELAY_MINUTES",
    default: "20",
    description: "A window is exported only when its end is this far in the past.",
  },
  maxWindowsPerRun: {
    name: "LOGEXPORT_MAX_WINDOWS_PER_RUN",
    default: "48",
    description: "Most windows one planner run enqueues per table (a long outage catches up in bounded steps).",
  },
  initialLookbackHours: {
    name: "LOGEXPORT_INITIAL_LOOKBACK_HOURS",
    default: "24",
    description: "Where a table without a watermark starts, counted back from the newest complete window.",
  },
  lateDataLookbackHours: {
    name: "LOGEXPORT_LATE_DATA_LOOKBACK_HOURS",
    default: "48",
    description: "How far back each planner run re-counts exported windows to find late rows (0 disables).",
  },
  gapRepairAfterMinutes: {
    name: "LOGEXPORT_GAP_REPAIR_AFTER_MINUTES",
    default: "120",
    description:
      "A planned window still without a manifest this long after its end plus the ingestion delay is enqueued again (gap repair, within the late-data lookback, at most LOGEXPORT_MAX_WINDOWS_PER_RUN per table and run).",
  },
  format: {
    name: "LOGEXPORT_FORMAT",
    default: "parquet",
    description: "File format of every table: `parquet` (typed columns from the query's own types, docs/parquet-types.md) or `jsonl.gz` (gzip JSON Lines).",
  },
  formatOverrides: {
    name: "LOGEXPORT_FORMAT_OVERRIDES",
    default: "",
    description: "Per-table formats that differ from `LOGEXPORT_FORMAT`, as `Table=format` pairs separated by commas (`Syslog=jsonl.gz,AppTraces=parquet`).",
  },
  partMaxRows: { name: "LOGEXPORT_PART_MAX_ROWS", default: "200000", description: "Row budget of one part query (service limit 500000)." },
  partMaxBytes: { name: "LOGEXPORT_PART_MAX_BYTES", default: "33554432", description: "Estimated-bytes budget of one part query (service limit about 64 MB)." },
  partAttempts: {
    name: "LOGEXPORT_PART_ATTEMPTS",
    default: "3",
    description: "Tries per part inside one worker run before the job is handed back to the queue.",
  },
  ...RETRY_BACKOFF_SETTINGS,
  maxConcurrentQueries: {
    name: "LOGEXPORT_MAX_CONCURRENT_QUERIES",
    default: "4",
    description:
      "Log Analytics queries in flight for the deployment's identity, every Functions instance together: each query holds one of this many Blob leases in the state container (`query-slots/`), and backfill queries never take the last one (docs/capacity.md). The service runs 5 per identity and queues, then refuses (429), the rest. The CLI, without a state container of its own, bounds only its process.",
  },
  queryTimeoutSeconds: { name: "LOGEXPORT_QUERY_TIMEOUT_SECONDS", default: "600", description: "Server-side timeout of each query (at most 600)." },
  retentionDays: {
    name: "LOGEXPORT_WORKSPACE_RETENTION_DAYS",
    default: "30",
    description: "The workspace's retention; a backfill reaching further back is refused.",
  },
  backfillMaxWindows: {
    name: "LOGEXPORT_BACKFILL_MAX_WINDOWS",
    default: "50000",
    description: "Most windows (tables × windows) one backfill request may cover.",
  },
  backfillDailyWindows: {
    name: "LOGEXPORT_BACKFILL_DAILY_WINDOWS",
    default: "200000",
    description:
      "Most windows all backfill requests of one UTC day may cover together, counted in the state container across instances; a request over it gets 429 with Retry-After until midnight UTC.",
  },
  sanitize: {
    name: "LOGEXPORT_SANITIZE",
    default: "on",
    description:
      "`on`: every row passes the sanitizer (built-in PII and secret rules, plus `LOGEXPORT_SANITIZER_CONFIG`); `off`: rows are exported as they are.",
  },
  sanitizerConfig: {
    name: "LOGEXPORT_SANITIZER_CONFIG",
    default: "",
    description: "Sanitizer config (JSON or YAML, docs/sanitizer.md) inline, or the path of a file deployed with the app; empty: the built-in rules only.",
  },
  hmacKey: {
    name: "LOGEXPORT_HMAC_KEY",
    description: "Key for keyed pseudonyms (hex or base64, ≥ 32 bytes); in Azure a Key Vault reference. Required only by rules that pseudonymize.",
  },
  functionKeys: {
    name: "LOGEXPORT_FUNCTION_KEYS",
    default: "off",
    description:
      "`off`: the HTTP functions take Entra ID sign-in only (App Service authentication; roles LogExport.Read and LogExport.Operate); `on`: they also require a function key, and a call with a key but no signed-in caller is allowed (automation without Entra ID). Read when the app starts.",
  },
  readIdleSeconds: {
    name: "LOGEXPORT_READ_IDLE_SECONDS",
    default: "120",
    description: "A query response that sends nothing for this long is abandoned and the part retried.",
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

export function allSettings(): SettingSpec[] {
  return Object.values(SETTINGS);
}
