import type { Context, ScheduledEvent } from "aws-lambda";
import { ConfigurationError, errorMessage, LogExportError } from "../shared/core/errors.js";
import { jsonLogger, type LogLevel } from "../shared/core/logger.js";
import { floorTo, HOUR_MS, isoInstant } from "../shared/core/time.js";
import { objectMetrics } from "../shared/engine/export-object.js";
import { embeddedMetricLine } from "../shared/engine/metrics.js";
import type { ExportKind } from "../shared/settings/aws.js";
import { loadAwsExport, type AwsExport } from "../shared/wiring/aws.js";

/** A manual invocation: re-export [start, end) hour by hour. */
export interface ManualRange {
  readonly start: string;
  readonly end: string;
}

export interface ExportSummary {
  readonly hours: ReadonlyArray<{ readonly hour: string; readonly export: ExportKind; readonly object: string; readonly rows: number; readonly malformed: number; readonly bytesScanned: number }>;
}

/** CloudWatch namespace of the Embedded Metric Format lines, one per exported hour and export (dimension `Export`). */
export const METRIC_NAMESPACE = "LogExport";

/** Some of the invocation's exports failed (the others completed): thrown so Lambda's retries and the dead-letter queue see it. */
export class IncompleteExportError extends LogExportError {}

function hoursOf(event: ScheduledEvent | ManualRange, delayMs: number): number[] {
  if ("start" in event && "end" in event) {
    const start = Date.parse(event.start);
    const end = Date.parse(event.end);
    if (Number.isNaN(start) || Number.isNaN(end) || start % HOUR_MS !== 0 || end % HOUR_MS !== 0 || end <= start) {
      throw new ConfigurationError(`a manual range needs whole-hour ISO instants with start < end, got ${JSON.stringify(event)}`);
    }
    return Array.from({ length: (end - start) / HOUR_MS }, (_, i) => start + i * HOUR_MS);
  }
  // The event's own time, not the clock: a retried delivery exports the same hour.
  const time = Date.parse(event.time);
  if (Number.isNaN(time)) throw new ConfigurationError(`the scheduled event has no valid time: ${JSON.stringify(event.time)}`);
  return [floorTo(time - delayMs, HOUR_MS) - HOUR_MS];
}

/**
 * The EventBridge handler: every configured export (access logs, content types) of the previous
 * full hour on a schedule, or of each hour of a manual range. One failing export does not stop the
 * others; the invocation still throws at the end, so Lambda's retries and the dead-letter queue see it.
 */
export function createHandler(exporter: () => AwsExport | Promise<AwsExport>, write: (level: LogLevel, line: string) => void = (level, line) => (level === "error" ? console.error(line) : console.log(line))) {
  return async (event: ScheduledEvent | ManualRange, context: Context): Promise<ExportSummary> => {
    const current = await exporter();
    const { exports, delayMs, msPerHourEstimate } = current.settings;
    const hours = hoursOf(event, delayMs);
    const needed = hours.length * exports.length * msPerHourEstimate;
    if (needed > context.getRemainingTimeInMillis()) {
      throw new ConfigurationError(`${hours.length} hours × ${exports.length} exports would take about ${Math.round(needed / 1000)} s, more than this invocation has left (${Math.round(context.getRemainingTimeInMillis() / 1000)} s); run the export-access-logs or export-content-logs CLI for long ranges`);
    }
    const done: Array<ExportSummary["hours"][number]> = [];
    const failed: string[] = [];
    for (const hour of hours) {
      for (const kind of exports) {
        const logger = jsonLogger(write, { requestId: context.awsRequestId, export: kind });
        try {
          const m = await current.exportHour(kind, hour, `lambda-${context.awsRequestId}`, logger);
          done.push({ hour: isoInstant(hour), export: kind, object: m.object.name, rows: m.rows, malformed: m.malformed.count, bytesScanned: m.bytesScanned });
          const finishedMs = Date.parse(m.finishedAt);
          write("info", embeddedMetricLine(METRIC_NAMESPACE, { Export: kind }, objectMetrics(m, finishedMs), finishedMs));
        } catch (error) {
          logger.error("export failed", { export: kind, hour: isoInstant(hour), error: errorMessage(error) });
          failed.push(`${kind} ${isoInstant(hour)}: ${errorMessage(error)}`);
        }
      }
    }
    if (failed.length > 0) throw new IncompleteExportError(`${failed.length} of ${hours.length * exports.length} exports failed (${done.length} completed):\n  ${failed.join("\n  ")}`);
    return { hours: done };
  };
}

/**
 * Starts the export once per execution environment (the cold start: settings, the Secrets Manager read).
 * A start that failed is not kept, so the next invocation tries again instead of failing on a stale error.
 */
export function oncePerEnvironment(start: () => Promise<AwsExport>): () => Promise<AwsExport> {
  let started: Promise<AwsExport> | undefined;
  return () => {
    started ??= start().catch((error: unknown) => {
      started = undefined;
      throw error;
    });
    return started;
  };
}

export const handler = createHandler(oncePerEnvironment(() => loadAwsExport(process.env)));
