import { containerNameFor, isContainerName, isObjectPrefix, isTableName, isWorkspaceId, TABLE_PLACEHOLDER } from "../core/identifiers.js";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../core/time.js";
import { SettingsReader, type Environment } from "./env.js";
import { readSanitizer, type SanitizerSettings } from "./sanitizer.js";
import { SETTINGS, type SettingSpec } from "./spec.js";

export type StorageAccess =
  | { readonly kind: "connectionString"; readonly connectionString: string }
  /** The queue endpoint is absent only for the CLI, which exports without a queue. */
  | { readonly kind: "identity"; readonly blobServiceUri: string; readonly queueServiceUri: string | undefined; readonly clientId: string | undefined }
  /** A local directory (the CLI's `--out ./dir`): data under it, state under `<dir>/_logexport/`. */
  | { readonly kind: "directory"; readonly path: string }
  /** A container SAS token from a blob URL (the CLI's --out): the only credential, never logged or written. */
  | { readonly kind: "sas"; readonly blobServiceUri: string; readonly sas: string };

/** Options a CLI gives beside the environment: storage it names by flags, and whether it needs a queue. */
export interface AzureSettingsOverrides {
  readonly storage?: StorageAccess;
  /** Keep manifests, ledger and runs under this prefix of the data container instead of the state container. */
  readonly stateInDataContainer?: boolean;
}

/** Everything the Azure planner and worker need, validated once. */
export interface AzureExportSettings {
  readonly workspaceId: string;
  readonly tables: readonly string[];
  readonly logsEndpoint: string;
  readonly storage: StorageAccess;
  readonly container: string;
  readonly stateContainer: string;
  readonly prefix: string;
  /** Manifests, ledger and runs live under `_logexport/` in the data container (the CLI's --out URL), not in the state container. */
  readonly stateInDataContainer: boolean;
  readonly queue: string;
  readonly backfillQueue: string;
  readonly windowMs: number;
  readonly ingestionDelayMs: number;
  readonly maxWindowsPerRun: number;
  readonly initialLookbackMs: number;
  readonly lateDataLookbackMs: number;
  readonly gapRepairAfterMs: number;
  /** The file format of each table: `formatOf(table)`. */
  readonly formats: { readonly default: ExportFormat; readonly overrides: Readonly<Record<string, ExportFormat>> };
  readonly partMaxRows: number;
  readonly partMaxBytes: number;
  readonly partAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Queries to the workspace in flight at once for the identity (every instance together, through leases). */
  readonly maxConcurrentQueries: number;
  readonly queryTimeoutSeconds: number;
  readonly readIdleSeconds: number;
  readonly retentionMs: number;
  readonly backfillMaxWindows: number;
  /** Windows all backfills of one UTC day may cover together. */
  readonly backfillDailyWindows: number;
  /** A function key stands in for a signed-in caller (LOGEXPORT_FUNCTION_KEYS=on). */
  readonly functionKeys: boolean;
  readonly sanitizer: SanitizerSettings;
}

function isHttpUrl(value: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function readStorage(reader: SettingsReader): StorageAccess {
  const connectionString = reader.raw(SETTINGS.storageConnection);
  if (connectionString !== undefined) return { kind: "connectionString", connectionString };
  const blobServiceUri = reader.raw(SETTINGS.storageBlobUri);
  const queueServiceUri = reader.raw(SETTINGS.storageQueueUri);
  if (blobServiceUri === undefined || queueServiceUri === undefined) {
    reader.check(
      false,
      `storage is not configured: set ${SETTINGS.storageConnection.name} (a connection string) or both ${SETTINGS.storageBlobUri.name} and ${SETTINGS.storageQueueUri.name} (managed identity)`,
    );
    return { kind: "connectionString", connectionString: "" };
  }
  reader.check(isHttpUrl(blobServiceUri), `${SETTINGS.storageBlobUri.name} must be an https URL, got ${JSON.stringify(blobServiceUri)}`);
  reader.check(
    queueServiceUri === undefined || isHttpUrl(queueServiceUri),
    `${SETTINGS.storageQueueUri.name} must be an https URL, got ${JSON.stringify(queueServiceUri)}`,
  );
  return { kind: "identity", blobServiceUri, queueServiceUri, clientId: reader.raw(SETTINGS.storageClientId) };
}

export const EXPORT_FORMATS = ["parquet", "jsonl.gz"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

function readOnOff(reader: SettingsReader, spec: SettingSpec): boolean {
  const value = reader.string(spec);
  reader.check(value === "on" || value === "off", `${spec.name} must be on or off, got ${JSON.stringify(value)}`);
  return value === "on";
}

function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** LOGEXPORT_FORMAT and LOGEXPORT_FORMAT_OVERRIDES (`Table=format,…`, only configured tables). */
function readFormats(reader: SettingsReader, tables: readonly string[]): AzureExportSettings["formats"] {
  const format = reader.string(SETTINGS.format);
  reader.check(isExportFormat(format), `${SETTINGS.format.name} must be one of ${EXPORT_FORMATS.join(", ")}, got ${JSON.stringify(format)}`);
  const overrides: Record<string, ExportFormat> = {};
  for (const pair of reader.list(SETTINGS.formatOverrides)) {
    const [table = "", value = "", ...rest] = pair.split("=").map((part) => part.trim());
    const ok = rest.length === 0 && tables.includes(table) && isExportFormat(value) && !(table in overrides);
    reader.check(
      ok,
      `${SETTINGS.formatOverrides.name}: ${JSON.stringify(pair)} must be Table=format with a table of ${SETTINGS.tables.name}, once, and a format of ${EXPORT_FORMATS.join(", ")}`,
    );
    if (ok && isExportFormat(value)) overrides[table] = value;
  }
  return { default: isExportFormat(format) ? format : "parquet", overrides };
}

export function loadAzureExportSettings(env: Environment, overrides: AzureSettingsOverrides = {}): AzureExportSettings {
  const reader = new SettingsReader(env);
  const workspaceId = reader.string(SETTINGS.workspaceId);
  reader.check(workspaceId === "" || isWorkspaceId(workspaceId), `${SETTINGS.workspaceId.name} must be a workspace GUID, got ${JSON.stringify(workspaceId)}`);
  const tables = reader.list(SETTINGS.tables);
  // "a,,b" is a typo, not two tables: refused rather than read as "a,b".
  reader.check(
    !/(^|,)\s*(,|$)/.test(env[SETTINGS.tables.name]?.trim() ?? "x"),
    `${SETTINGS.tables.name} has an empty table name in ${JSON.stringify(env[SETTINGS.tables.name])}`,
  );
  for (const table of tables)
    reader.check(isTableName(table), `${SETTINGS.tables.name}: ${JSON.stringify(table)} is not a valid table name (letters, digits, underscores)`);
  reader.check(new Set(tables).size === tables.length, `${SETTINGS.tables.name} lists a table twice`);
  const logsEndpoint = reader.string(SETTINGS.logsEndpoint);
  reader.check(isHttpUrl(logsEndpoint), `${SETTINGS.logsEndpoint.name} must be an http(s) URL, got ${JSON.stringify(logsEndpoint)}`);
  const container = reader.string(SETTINGS.container);
  const stateContainer = reader.string(SETTINGS.stateContainer);
  const queue = reader.string(SETTINGS.queue);
  const backfillQueue = reader.string(SETTINGS.backfillQueue);
  reader.check(backfillQueue !== queue, `${SETTINGS.backfillQueue.name} and ${SETTINGS.queue.name} must name different queues (scheduled windows go first)`);
  for (const [spec, value] of [
    [SETTINGS.stateContainer, stateContainer],
    [SETTINGS.queue, queue],
    [SETTINGS.backfillQueue, backfillQueue],
  ] as const) {
    reader.check(isContainerName(value), `${spec.name} must be 3-63 lowercase letters, digits and single hyphens, got ${JSON.stringify(value)}`);
  }
  const dataContainers = container.includes(TABLE_PLACEHOLDER) ? tables.map((table) => containerNameFor(container, table)) : [container];
  for (const name of dataContainers) {
    const problem =
      name === container
        ? `must be 3-63 lowercase letters, digits and single hyphens, got ${JSON.stringify(name)}`
        : `must give 3-63 lowercase letters, digits and single hyphens for every table, got ${JSON.stringify(name)} from ${JSON.stringify(container)}`;
    reader.check(isContainerName(name), `${SETTINGS.container.name} ${problem}`);
  }
  reader.check(
    new Set(dataContainers).size === dataContainers.length,
    `${SETTINGS.container.name} ${JSON.stringify(container)} gives two tables the same container`,
  );
  reader.check(
    overrides.stateInDataContainer !== true || !container.includes(TABLE_PLACEHOLDER),
    `${SETTINGS.container.name}: a {table} template needs the state in its own container, not beside the data`,
  );
  reader.check(
    overrides.stateInDataContainer === true || !dataContainers.includes(stateContainer),
    `${SETTINGS.container.name} and ${SETTINGS.stateContainer.name} must name different containers`,
  );
  const prefix = reader.string(SETTINGS.prefix);
  reader.check(
    isObjectPrefix(prefix),
    `${SETTINGS.prefix.name} must be empty or /-separated segments of letters, digits and . _ = -, got ${JSON.stringify(prefix)}`,
  );
  const windowMinutes = reader.integer(SETTINGS.windowMinutes, 1, 1440);
  reader.check(1440 % windowMinutes === 0, `${SETTINGS.windowMinutes.name} must divide a day (1, 5, 10, 15, 30, 60, 120, … 1440), got ${windowMinutes}`);
  const settings: AzureExportSettings = {
    workspaceId,
    tables,
    logsEndpoint,
    storage: overrides.storage ?? readStorage(reader),
    container,
    stateContainer,
    prefix,
    stateInDataContainer: overrides.stateInDataContainer === true,
    queue,
    backfillQueue,
    windowMs: windowMinutes * MINUTE_MS,
    ingestionDelayMs: reader.integer(SETTINGS.ingestionDelayMinutes, 0, 2880) * MINUTE_MS,
    maxWindowsPerRun: reader.integer(SETTINGS.maxWindowsPerRun, 1, 10_000),
    initialLookbackMs: reader.integer(SETTINGS.initialLookbackHours, 0, 24 * 730) * HOUR_MS,
    lateDataLookbackMs: reader.integer(SETTINGS.lateDataLookbackHours, 0, 24 * 30) * HOUR_MS,
    gapRepairAfterMs: reader.integer(SETTINGS.gapRepairAfterMinutes, 0, 24 * 60 * 30) * MINUTE_MS,
    formats: readFormats(reader, tables),
    partMaxRows: reader.integer(SETTINGS.partMaxRows, 1, 500_000),
    partMaxBytes: reader.integer(SETTINGS.partMaxBytes, 1024, 64_000_000),
    partAttempts: reader.integer(SETTINGS.partAttempts, 1, 10),
    retryBaseMs: reader.integer(SETTINGS.retryBaseMs, 0, 60_000),
    retryMaxMs: reader.integer(SETTINGS.retryMaxMs, 0, 600_000),
    maxConcurrentQueries: reader.integer(SETTINGS.maxConcurrentQueries, 1, 50),
    queryTimeoutSeconds: reader.integer(SETTINGS.queryTimeoutSeconds, 10, 600),
    readIdleSeconds: reader.integer(SETTINGS.readIdleSeconds, 1, 900),
    retentionMs: reader.integer(SETTINGS.retentionDays, 1, 4383) * DAY_MS,
    backfillMaxWindows: reader.integer(SETTINGS.backfillMaxWindows, 1, 1_000_000),
    backfillDailyWindows: reader.integer(SETTINGS.backfillDailyWindows, 1, 100_000_000),
    functionKeys: readOnOff(reader, SETTINGS.functionKeys),
    sanitizer: readSanitizer(reader, { sanitize: SETTINGS.sanitize, config: SETTINGS.sanitizerConfig, hmacKey: SETTINGS.hmacKey }),
  };
  reader.check(
    settings.retryMaxMs >= settings.retryBaseMs,
    `${SETTINGS.retryMaxMs.name} (${settings.retryMaxMs}) must be at least ${SETTINGS.retryBaseMs.name} (${settings.retryBaseMs})`,
  );
  reader.done();
  return Object.freeze(settings);
}
