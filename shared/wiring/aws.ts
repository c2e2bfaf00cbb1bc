import { basename, dirname, resolve } from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigurationError, errorMessage } from "../core/errors.js";
import type { Logger, RecordEncoder, RecordSanitizer, RecordTransform, StateStore } from "../core/ports.js";
import { describeRange, floorTo, HOUR_MS, systemClock, type Clock, type TimeRange } from "../core/time.js";
import { exportWindow, type ExportDependencies, type ExportOutcome, type ExportWindowOptions, type ObjectLayout } from "../engine/export-window.js";
import { findGaps } from "../engine/gaps.js";
import { findGrownWindows } from "../engine/late-data.js";
import type { JobReason } from "../engine/messages.js";
import { hourlyObjectName, sidecarManifestName } from "../engine/naming.js";
import { planWindowParts, type PartBudget } from "../engine/parts.js";
import { readCoverage, type TableCoverage } from "../engine/status.js";
import { createParquetEncoder } from "../formats/parquet/encoder.js";
import { PULP_ACCESS_LOG_SCHEMA } from "../formats/parquet/schema.js";
import { contentRowTransform } from "../parsers/content-rows.js";
import { CONTENT_TYPE_SPECS, contentSchema } from "../parsers/content/types.js";
import { PULP_ENRICHED_SCHEMA, accessRowTransform } from "../parsers/access-rows.js";
import { hmacKeyFromSetting, type YamlReader } from "../sanitize/index.js";
import { AWS_SETTINGS } from "../settings/aws-spec.js";
import { loadAwsExportSettings, type AwsExportSettings, type ExportKind } from "../settings/aws.js";
import type { Environment } from "../settings/env.js";
import type { BlockSource, BlockUploadOptions, BlockUploadResult } from "../sinks/blob/block-upload.js";
import { LocalObjectStore } from "../sinks/local/store.js";
import { PrefixedObjectStore } from "../sinks/prefixed.js";
import { uploadResumable, type PartSource, type PartUploadOptions, type PartUploadResult, type UploadJournal } from "../sinks/s3/resumable-upload.js";
import { S3ObjectStore } from "../sinks/s3/store.js";
import type { LineFilter } from "../sources/cloudwatch/insights.js";
import { CloudWatchSource } from "../sources/cloudwatch/source.js";
import { createS3Client, parseS3Url, type S3ClientOptions } from "./s3.js";
import { sanitizerFactory } from "./sanitizer.js";

export const ACCESS_LOG_STEM = "pulp_access_logs";

/** One export's own parts: what its queries keep, how a record becomes a row, and where its hours go. */
export interface ExportDefinition {
  readonly filter: LineFilter;
  readonly encoder: RecordEncoder;
  readonly stem: string;
  readonly prefix: string;
  createTransform(sanitizer: RecordSanitizer): RecordTransform;
}

export interface ExportDefinitionOptions {
  /** Content exports: keep only the type's file endings on the server (default). Off only to measure what the filter saves. */
  readonly serverTypeFilter?: boolean;
}

export function exportDefinition(settings: AwsExportSettings, kind: ExportKind, options: ExportDefinitionOptions = {}): ExportDefinition {
  if (kind === "access") {
    const rowOptions = {
      logFormat: settings.logFormat,
      includePaths: settings.filter.includePaths,
      excludePaths: settings.filter.excludePaths,
      enrich: settings.enrich,
    };
    return {
      filter: { includePaths: settings.filter.includePaths },
      encoder: createParquetEncoder(settings.enrich ? PULP_ENRICHED_SCHEMA : PULP_ACCESS_LOG_SCHEMA),
      stem: ACCESS_LOG_STEM,
      prefix: settings.prefix,
      createTransform: (sanitizer) => accessRowTransform(rowOptions, sanitizer),
    };
  }
  const rowOptions = { contentType: kind, pathPrefix: settings.contentPathPrefix, excludePaths: settings.filter.excludePaths };
  return {
    filter: {
      includePaths: [settings.contentPathPrefix],
      includeSuffixes: options.serverTypeFilter === false ? [] : CONTENT_TYPE_SPECS[kind].extensions,
    },
    encoder: createParquetEncoder(contentSchema(kind)),
    stem: `pulp_content_${kind}_logs`,
    prefix: settings.contentPrefix === "" ? kind : `${settings.contentPrefix}/${kind}`,
    createTransform: (sanitizer) => contentRowTransform(rowOptions, sanitizer),
  };
}

/** Parts are planned a tenth under the query limit, so a few late lines in a part still fit in its result. */
function partBudget(settings: AwsExportSettings): PartBudget {
  return { maxRows: Math.max(1, Math.floor(settings.queryRowLimit * 0.9)), maxBytes: Number.MAX_SAFE_INTEGER };
}

/** What a run asks of one hour: who runs it, why, and whether an hour already exported is exported again. */
export interface HourRun {
  readonly runId: string;
  readonly reason: JobReason;
  readonly force: boolean;
  /** A re-export may archive fewer rows than the hour's manifest holds; refused otherwise. */
  readonly allowShrink?: boolean;
}

/** A single-file export overwrites its file, but not with fewer rows than the manifest beside it unless allowed. */
export interface FileRun {
  readonly runId: string;
  readonly allowShrink?: boolean;
}

/** A single-file export of any range (the seed's CLIs): the object and its manifest beside it, no ledger. */
export interface FileTarget {
  readonly store: StateStore;
  readonly name: string;
  /** For messages: the file path or s3:// URL. */
  readonly shown: string;
  /** A Blob target's resumable upload of a local file (staged blocks a rerun reuses); absent elsewhere. */
  readonly uploadInBlocks?: (source: BlockSource, options: BlockUploadOptions) => Promise<BlockUploadResult>;
  /** An S3 target's multipart upload of a local file that a rerun resumes from the journal; absent elsewhere. */
  readonly uploadResumable?: (source: PartSource, journal: UploadJournal, options: PartUploadOptions) => Promise<PartUploadResult>;
}

export interface DryRunPlan {
  readonly expectedRows: number;
  readonly queryParts: number;
  readonly scanParts: number;
  readonly histogramQueries: number;
  readonly bytesScanned: number;
}

/** The AWS application layer: what the Lambda and the CLIs do, and nothing they need to build themselves. */
export interface AwsExport {
  readonly settings: AwsExportSettings;
  readonly clock: Clock;
  /** The export's table name in manifests, the ledger and status (the file stem: `pulp_access_logs`, `pulp_content_rpm_logs`). */
  tableOf(kind: ExportKind): string;
  /** The hour starting at hourStartMs to the export's hourly key in the bucket: skipped when its manifest exists, unless forced. */
  exportHour(kind: ExportKind, hourStartMs: number, run: HourRun, logger: Logger, options?: ExportWindowOptions): Promise<ExportOutcome>;
  /**
   * The lookback before `beforeMs`: exported hours whose line count grew (one histogram query) re-exported,
   * then hours without a manifest after the first that has one (failed for good) exported, at most `maxRepairs`.
   */
  recheckHours(kind: ExportKind, beforeMs: number, runId: string, logger: Logger, maxRepairs: number): Promise<ExportOutcome[]>;
  /**
   * Any range into one file (local or S3), with its manifest beside it: the seed's single-file CLIs. A range
   * with no row leaves neither (the seed writes no file then, and its CronJob skips the upload on that).
   */
  exportToFile(kind: ExportKind, range: TimeRange, target: FileTarget, run: FileRun, logger: Logger, options?: ExportWindowOptions): Promise<ExportOutcome>;
  /** What an export of the range would run and scan, from the histogram queries alone. */
  dryRun(kind: ExportKind, range: TimeRange, abortSignal?: AbortSignal): Promise<DryRunPlan>;
  /** Exported, failed and missing hours of each export, from the manifests and the ledger in the bucket. */
  coverage(kinds: readonly ExportKind[], range: TimeRange, nowMs: number): Promise<TableCoverage[]>;
}

function cloudWatchSource(settings: AwsExportSettings, client: CloudWatchLogsClient, filter: LineFilter): CloudWatchSource {
  return new CloudWatchSource({
    client,
    logGroupNames: settings.logGroupNames,
    logStreamName: settings.logStreamName,
    filter,
    queryRowLimit: settings.queryRowLimit,
    poll: { timeoutMs: settings.queryTimeoutMs, initialPollMs: 250, maxPollMs: 5_000 },
  });
}

/** A Logs client for the CLIs: region given, credentials from the standard chain. */
export function cloudWatchClient(region: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region });
}

/** Where the CLIs write one file: a local path or s3://bucket/key (S3 client from the standard chain, or the given endpoint). */
export function openFileTarget(path: string, what: string, s3: S3ClientOptions): FileTarget {
  const url = parseS3Url(path, what);
  if (url !== undefined) {
    const client = createS3Client(s3);
    return {
      store: new S3ObjectStore(client, url.bucket),
      name: url.key,
      shown: path,
      uploadResumable: (source, journal, options) => uploadResumable(client, url.bucket, url.key, source, journal, options),
    };
  }
  const file = resolve(path);
  return { store: new LocalObjectStore(dirname(file)), name: basename(file), shown: file };
}

/** What createAwsExport builds itself unless given: the clients, and no YAML reader (the Lambda reads JSON configs only). */
export interface AwsAdapters {
  readonly logs?: CloudWatchLogsClient;
  readonly s3?: S3Client;
  /** The CLIs pass shared/sanitize/yaml.ts's reader, so `--sanitizer-config x.yaml` works there. */
  readonly yaml?: YamlReader;
}

/** AWS clients come from the standard chain: region, credentials and endpoints (AWS_ENDPOINT_URL_*) from the environment or the Lambda role. */
export function createAwsExport(
  settings: AwsExportSettings,
  clients: AwsAdapters = {},
  clock: Clock = systemClock,
  definitionOptions: ExportDefinitionOptions = {},
): AwsExport {
  const logs = clients.logs ?? new CloudWatchLogsClient({});
  const createSanitizer = sanitizerFactory(settings.sanitizer, clients.yaml);
  let bucket: S3ObjectStore | undefined;
  // The bucket is opened only by what uses it: the single-file CLIs may run without one.
  const openBucket = (): S3ObjectStore => (bucket ??= new S3ObjectStore(clients.s3 ?? new S3Client({}), settings.bucket));
  let stateStore: StateStore | undefined;
  const state = (): StateStore => (stateStore ??= new PrefixedObjectStore(openBucket(), `${settings.statePrefix}/`));
  const definitions = new Map<ExportKind, { definition: ExportDefinition; source: CloudWatchSource }>();
  const prepared = (kind: ExportKind) => {
    let entry = definitions.get(kind);
    if (entry === undefined) {
      const definition = exportDefinition(settings, kind, definitionOptions);
      entry = { definition, source: cloudWatchSource(settings, logs, definition.filter) };
      definitions.set(kind, entry);
    }
    return entry;
  };
  const deps = (kind: ExportKind, data: StateStore, stateStore: StateStore, layout: ObjectLayout, logger: Logger): ExportDependencies => {
    const { definition, source } = prepared(kind);
    return {
      source,
      data,
      state: stateStore,
      layout,
      encoder: definition.encoder,
      createTransform: () => definition.createTransform(createSanitizer()),
      budget: partBudget(settings),
      partRetry: { attempts: settings.partAttempts, baseDelayMs: settings.retryBaseMs, maxDelayMs: settings.retryMaxMs },
      concurrency: settings.queryConcurrency,
      clock,
      logger,
    };
  };
  const hourly = (kind: ExportKind, logger: Logger): ExportDependencies => {
    const { definition } = prepared(kind);
    const layout: ObjectLayout = {
      kind: "window-object",
      objectName: (window, generation) => hourlyObjectName(definition.prefix, definition.stem, window.startMs, definition.encoder.extension, generation),
    };
    return deps(kind, openBucket(), state(), layout, logger);
  };
  const tableOf = (kind: ExportKind): string => prepared(kind).definition.stem;
  const exportHour = (kind: ExportKind, hourStartMs: number, run: HourRun, logger: Logger, options?: ExportWindowOptions) =>
    exportWindow(hourly(kind, logger), { table: tableOf(kind), window: { startMs: hourStartMs, endMs: hourStartMs + HOUR_MS }, ...run }, options);
  return {
    settings,
    clock,
    tableOf,
    exportHour,
    recheckHours: async (kind, beforeMs, runId, logger, maxRepairs) => {
      const end = floorTo(beforeMs, HOUR_MS);
      const range = { startMs: end - settings.lateDataLookbackMs, endMs: end };
      const grown = await findGrownWindows({ source: prepared(kind).source, state: state(), table: tableOf(kind), range, windowMs: HOUR_MS, logger });
      const outcomes: ExportOutcome[] = [];
      for (const window of grown) outcomes.push(await exportHour(kind, window.startMs, { runId, reason: "late", force: true }, logger));
      const gaps = await findGaps({ state: state(), table: tableOf(kind), range, windowMs: HOUR_MS, max: maxRepairs });
      if (gaps.length > 0) logger.warn("hours without a manifest exported again", { export: kind, hours: gaps.map(describeRange) });
      for (const window of gaps) outcomes.push(await exportHour(kind, window.startMs, { runId, reason: "repair", force: false }, logger));
      return outcomes;
    },
    exportToFile: async (kind, range, target, run, logger, options) => {
      const fileDeps: ExportDependencies = {
        ...deps(kind, target.store, target.store, { kind: "window-object", objectName: () => target.name }, logger),
        manifestName: () => sidecarManifestName(target.name),
        ledger: false,
      };
      const outcome = await exportWindow(
        fileDeps,
        { table: tableOf(kind), window: range, runId: run.runId, reason: "manual", force: true, allowShrink: run.allowShrink === true },
        options,
      );
      if (outcome.manifest.exportedRows === 0) {
        await target.store.delete(target.name);
        await target.store.delete(sidecarManifestName(target.name));
        logger.info("no rows in the range: no file written", {
          export: kind,
          range: describeRange(range),
          read: outcome.manifest.readRows,
          malformed: outcome.manifest.malformed.count,
        });
      }
      return outcome;
    },
    dryRun: async (kind, range, abortSignal) => {
      const { source } = prepared(kind);
      const before = source.statistics().bytesScanned;
      const { measured, parts } = await planWindowParts(source, tableOf(kind), range, partBudget(settings), abortSignal);
      return {
        expectedRows: parts.reduce((n, p) => n + p.expectedRows, 0),
        queryParts: parts.filter((p) => p.scan !== true).length,
        scanParts: parts.filter((p) => p.scan === true).length,
        histogramQueries: measured.histogramQueries,
        bytesScanned: source.statistics().bytesScanned - before,
      };
    },
    coverage: (kinds, range, nowMs) => readCoverage(state(), { tables: kinds.map(tableOf), range, windowMs: HOUR_MS, nowMs, inProgressHorizonMs: 0 }),
  };
}

/**
 * The pseudonymization key from Secrets Manager (LOGEXPORT_HMAC_KEY_SECRET_ARN): settings whose sanitizer
 * carries the secret's text, checked here (hex or base64, at least 32 bytes). A secret that cannot be read,
 * holds no SecretString or holds no valid key is a ConfigurationError naming the ARN, never the value; there
 * is no fallback to unkeyed hashing. Without the setting, the settings come back as they are.
 */
export async function withHmacKeyFromSecret(settings: AwsExportSettings, client?: SecretsManagerClient): Promise<AwsExportSettings> {
  const arn = settings.hmacKeySecretArn;
  if (arn === undefined) return settings;
  const source = `the secret ${arn} (${AWS_SETTINGS.hmacKeySecretArn.name})`;
  const secrets = client ?? new SecretsManagerClient({});
  let text: string | undefined;
  try {
    text = (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  } catch (error) {
    throw new ConfigurationError(`cannot read ${source} from Secrets Manager: ${errorMessage(error)}`, { cause: error });
  } finally {
    if (client === undefined) secrets.destroy();
  }
  if (text === undefined || text.trim() === "")
    throw new ConfigurationError(`${source} holds no SecretString: store the key as hex or base64 text (binary secrets are not read)`);
  hmacKeyFromSetting(text, source);
  return Object.freeze({ ...settings, sanitizer: { ...settings.sanitizer, hmacKey: text, hmacKeySource: source } });
}

/** The Lambda's cold start: settings from the environment, the key from Secrets Manager when configured, then the export. */
export async function loadAwsExport(
  env: Environment,
  clients: { logs?: CloudWatchLogsClient; s3?: S3Client; secrets?: SecretsManagerClient } = {},
): Promise<AwsExport> {
  const settings = await withHmacKeyFromSecret(loadAwsExportSettings(env), clients.secrets);
  return createAwsExport(settings, clients);
}
