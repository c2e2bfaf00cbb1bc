import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { S3Client } from "@aws-sdk/client-s3";
import type { Clock, Logger, ObjectStore } from "../core/ports.js";
import { HOUR_MS, type TimeRange } from "../core/time.js";
import { exportToObject, type ObjectExportDependencies, type ObjectExportOptions, type ObjectManifest } from "../engine/export-object.js";
import { hourlyObjectName } from "../engine/naming.js";
import { createParquetEncoder } from "../formats/parquet/encoder.js";
import { PULP_ACCESS_LOG_SCHEMA } from "../formats/parquet/schema.js";
import { PULP_ENRICHED_SCHEMA, pulpRowTransform } from "../parsers/pulp-rows.js";
import type { AwsExportSettings } from "../settings/aws.js";
import { S3ObjectStore } from "../sinks/s3/store.js";
import { CloudWatchSource } from "../sources/cloudwatch/source.js";
import { systemClock } from "./azure.js";
import { sanitizerFactory } from "./sanitizer.js";

export const ACCESS_LOG_STEM = "pulp_access_logs";

export interface AwsExport {
  readonly settings: AwsExportSettings;
  /** Exports the hour starting at hourStartMs to its hourly key in the bucket. */
  exportHour(hourStartMs: number, runId: string, logger: Logger): Promise<ObjectManifest>;
  /** The same engine for any range into any store and object name (the CLI). */
  exportRange(range: TimeRange, store: ObjectStore, objectName: string, runId: string, logger: Logger, options?: ObjectExportOptions): Promise<ObjectManifest>;
}

export function cloudWatchSource(settings: AwsExportSettings, client: CloudWatchLogsClient): CloudWatchSource {
  return new CloudWatchSource({
    client,
    logGroupNames: settings.logGroupNames,
    logStreamName: settings.logStreamName,
    filter: settings.filter,
    queryRowLimit: settings.queryRowLimit,
    poll: { timeoutMs: settings.queryTimeoutMs, initialPollMs: 250, maxPollMs: 5_000 },
  });
}

/** AWS clients come from the standard chain: region, credentials and endpoints (AWS_ENDPOINT_URL_*) from the environment or the Lambda role. */
export function createAwsExport(settings: AwsExportSettings, clients: { logs?: CloudWatchLogsClient; s3?: S3Client } = {}, clock: Clock = systemClock): AwsExport {
  const logs = clients.logs ?? new CloudWatchLogsClient({});
  const s3 = clients.s3 ?? new S3Client({});
  const source = cloudWatchSource(settings, logs);
  const encoder = createParquetEncoder(settings.enrich ? PULP_ENRICHED_SCHEMA : PULP_ACCESS_LOG_SCHEMA);
  const createSanitizer = sanitizerFactory(settings.sanitizer);
  const rowOptions = { includePaths: settings.filter.includePaths, excludePaths: settings.filter.excludePaths, enrich: settings.enrich };
  const bucket = new S3ObjectStore(s3, settings.bucket);
  const deps = (store: ObjectStore, logger: Logger): ObjectExportDependencies => ({
    source,
    store,
    encoder,
    budget: { maxRows: settings.queryRowLimit, maxBytes: Number.MAX_SAFE_INTEGER },
    partRetry: { attempts: 3, baseDelayMs: 1_000 },
    concurrency: settings.queryConcurrency,
    createTransform: () => pulpRowTransform(rowOptions, createSanitizer()),
    clock,
    logger,
  });
  const exportRange = (range: TimeRange, store: ObjectStore, objectName: string, runId: string, logger: Logger, options?: ObjectExportOptions) =>
    exportToObject(deps(store, logger), { table: settings.logGroupNames.join(","), window: range, objectName, runId }, options);
  return {
    settings,
    exportRange,
    exportHour: (hourStartMs, runId, logger) =>
      exportRange({ startMs: hourStartMs, endMs: hourStartMs + HOUR_MS }, bucket, hourlyObjectName(settings.prefix, ACCESS_LOG_STEM, hourStartMs, encoder.extension), runId, logger),
  };
}
