import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigurationError, errorMessage } from "../core/errors.js";
import type { Clock, Logger, ObjectStore, RecordEncoder, RecordSanitizer, RecordTransform } from "../core/ports.js";
import { HOUR_MS, systemClock, type TimeRange } from "../core/time.js";
import { exportToObject, type ObjectExportDependencies, type ObjectExportOptions, type ObjectManifest } from "../engine/export-object.js";
import { hourlyObjectName } from "../engine/naming.js";
import type { PartBudget } from "../engine/parts.js";
import { createParquetEncoder } from "../formats/parquet/encoder.js";
import { PULP_ACCESS_LOG_SCHEMA } from "../formats/parquet/schema.js";
import { contentRowTransform } from "../parsers/content-rows.js";
import { CONTENT_TYPE_SPECS, contentSchema } from "../parsers/content/types.js";
import { PULP_ENRICHED_SCHEMA, pulpRowTransform } from "../parsers/pulp-rows.js";
import { hmacKeyFromSetting } from "../sanitize/index.js";
import { AWS_SETTINGS } from "../settings/aws-spec.js";
import { loadAwsExportSettings, type AwsExportSettings, type ExportKind } from "../settings/aws.js";
import type { Environment } from "../settings/env.js";
import { S3ObjectStore } from "../sinks/s3/store.js";
import type { LineFilter } from "../sources/cloudwatch/insights.js";
import { CloudWatchSource } from "../sources/cloudwatch/source.js";
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
    const rowOptions = { includePaths: settings.filter.includePaths, excludePaths: settings.filter.excludePaths, enrich: settings.enrich };
    return {
      filter: settings.filter,
      encoder: createParquetEncoder(settings.enrich ? PULP_ENRICHED_SCHEMA : PULP_ACCESS_LOG_SCHEMA),
      stem: ACCESS_LOG_STEM,
      prefix: settings.prefix,
      createTransform: (sanitizer) => pulpRowTransform(rowOptions, sanitizer),
    };
  }
  const rowOptions = { contentType: kind, pathPrefix: settings.contentPathPrefix, excludePaths: settings.filter.excludePaths };
  return {
    filter: {
      includePaths: [settings.contentPathPrefix],
      excludePaths: settings.filter.excludePaths,
      excludeMarkers: settings.filter.excludeMarkers,
      includeSuffixes: options.serverTypeFilter === false ? [] : CONTENT_TYPE_SPECS[kind].extensions,
    },
    encoder: createParquetEncoder(contentSchema(kind)),
    stem: `pulp_content_${kind}_logs`,
    prefix: settings.contentPrefix === "" ? kind : `${settings.contentPrefix}/${kind}`,
    createTransform: (sanitizer) => contentRowTransform(rowOptions, sanitizer),
  };
}

/** Parts are planned a tenth under the query limit, so a few late lines in a part still fit in its result. */
export function partBudget(settings: AwsExportSettings): PartBudget {
  return { maxRows: Math.max(1, Math.floor(settings.queryRowLimit * 0.9)), maxBytes: Number.MAX_SAFE_INTEGER };
}

export interface AwsExport {
  readonly settings: AwsExportSettings;
  /** Exports the hour starting at hourStartMs to the export's hourly key in the bucket. */
  exportHour(kind: ExportKind, hourStartMs: number, runId: string, logger: Logger): Promise<ObjectManifest>;
  /** The same engine for any range into any store and object name (the CLIs). */
  exportRange(kind: ExportKind, range: TimeRange, store: ObjectStore, objectName: string, runId: string, logger: Logger, options?: ObjectExportOptions): Promise<ObjectManifest>;
}

export function cloudWatchSource(settings: AwsExportSettings, client: CloudWatchLogsClient, filter: LineFilter): CloudWatchSource {
  return new CloudWatchSource({
    client,
    logGroupNames: settings.logGroupNames,
    logStreamName: settings.logStreamName,
    filter,
    queryRowLimit: settings.queryRowLimit,
    poll: { timeoutMs: settings.queryTimeoutMs, initialPollMs: 250, maxPollMs: 5_000 },
  });
}

/** AWS clients come from the standard chain: region, credentials and endpoints (AWS_ENDPOINT_URL_*) from the environment or the Lambda role. */
export function createAwsExport(
  settings: AwsExportSettings,
  clients: { logs?: CloudWatchLogsClient; s3?: S3Client } = {},
  clock: Clock = systemClock,
  definitionOptions: ExportDefinitionOptions = {},
): AwsExport {
  const logs = clients.logs ?? new CloudWatchLogsClient({});
  const s3 = clients.s3 ?? new S3Client({});
  const createSanitizer = sanitizerFactory(settings.sanitizer);
  const bucket = new S3ObjectStore(s3, settings.bucket);
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
  const deps = (kind: ExportKind, store: ObjectStore, logger: Logger): ObjectExportDependencies => {
    const { definition, source } = prepared(kind);
    return {
      source,
      store,
      encoder: definition.encoder,
      budget: partBudget(settings),
      partRetry: { attempts: 3, baseDelayMs: 1_000 },
      concurrency: settings.queryConcurrency,
      createTransform: () => definition.createTransform(createSanitizer()),
      clock,
      logger,
    };
  };
  const exportRange = (kind: ExportKind, range: TimeRange, store: ObjectStore, objectName: string, runId: string, logger: Logger, options?: ObjectExportOptions) =>
    exportToObject(deps(kind, store, logger), { table: settings.logGroupNames.join(","), window: range, objectName, runId }, options);
  return {
    settings,
    exportRange,
    exportHour: (kind, hourStartMs, runId, logger) => {
      const { definition } = prepared(kind);
      const name = hourlyObjectName(definition.prefix, definition.stem, hourStartMs, definition.encoder.extension);
      return exportRange(kind, { startMs: hourStartMs, endMs: hourStartMs + HOUR_MS }, bucket, name, runId, logger);
    },
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
  if (text === undefined || text.trim() === "") throw new ConfigurationError(`${source} holds no SecretString: store the key as hex or base64 text (binary secrets are not read)`);
  hmacKeyFromSetting(text, source);
  return Object.freeze({ ...settings, sanitizer: { ...settings.sanitizer, hmacKey: text, hmacKeySource: source } });
}

/** The Lambda's cold start: settings from the environment, the key from Secrets Manager when configured, then the export. */
export async function loadAwsExport(env: Environment, clients: { logs?: CloudWatchLogsClient; s3?: S3Client; secrets?: SecretsManagerClient } = {}): Promise<AwsExport> {
  const settings = await withHmacKeyFromSecret(loadAwsExportSettings(env), clients.secrets);
  return createAwsExport(settings, clients);
}
