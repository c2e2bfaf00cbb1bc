import type { Context, ScheduledEvent } from "aws-lambda";
import { ConfigurationError, errorMessage, LogExportError } from "../shared/core/errors.js";
import { jsonLogger, type LogLevel } from "../shared/core/logger.js";
import { floorTo, HOUR_MS, isoInstant } from "../shared/core/time.js";
import { manifestMetrics, type ExportOutcome } from "../shared/engine/export-window.js";
import { embeddedMetricLine } from "../shared/engine/metrics.js";
import type { ExportKind } from "../shared/settings/aws.js";
import { loadAwsExport, type AwsExport } from "../shared/wiring/aws.js";

/**
 * A manual invocation: export [start, end) hour by hour; hours already exported are skipped unless `force`,
 * and a forced hour is not archived with fewer rows than its manifest holds unless `allowShrink`.
 */
export interface ManualRange {
  readonly start: string;
  readonly end: string;
  readonly force?: boolean;
  readonly allowShrink?: boolean;
}

export interface HourSummary {
  readonly hour: string;
  readonly export: ExportKind;
  readonly status: ExportOutcome["status"];
  readonly reason: string;
  readonly object: string;
  readonly rows: number;
  readonly malformed: number;
  readonly bytesScanned: number;
}

export interface ExportSummary {
  readonly hours: readonly HourSummary[];
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
    for (const flag of ["force", "allowShrink"] as const) {
      if (flag in event && typeof event[flag] !== "boolean")
        throw new ConfigurationError(`a manual range's ${flag} must be true or false, got ${JSON.stringify(event[flag])}`);
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
export function createHandler(
  exporter: () => AwsExport | Promise<AwsExport>,
  write: (level: LogLevel, line: string) => void = (level, line) => (level === "error" ? console.error(line) : console.log(line)),
) {
  return async (event: ScheduledEvent | ManualRange, context: Context): Promise<ExportSummary> => {
    const current = await exporter();
    const { exports, delayMs, msPerHourEstimate } = current.settings;
    const hours = hoursOf(event, delayMs);
    const needed = hours.length * exports.length * msPerHourEstimate;
    if (needed > context.getRemainingTimeInMillis()) {
      throw new ConfigurationError(
        `${hours.length} hours × ${exports.length} exports would take about ${Math.round(needed / 1000)} s, more than this invocation has left (${Math.round(context.getRemainingTimeInMillis() / 1000)} s); run the export-access-logs or export-content-logs CLI for long ranges`,
      );
    }
    const done: HourSummary[] = [];
    const failed: string[] = [];
    const runId = `lambda-${context.awsRequestId}`;
    const scheduled = !("start" in event);
    const force = "force" in event && event.force === true;
    const allowShrink = "allowShrink" in event && event.allowShrink === true;
    const record = (kind: ExportKind, outcome: ExportOutcome): void => {
      const m = outcome.manifest;
      done.push({
        hour: m.window.start,
        export: kind,
        status: outcome.status,
        reason: m.reason,
        object: m.objects[0]?.name ?? "",
        rows: m.exportedRows,
        malformed: m.malformed.count,
        bytesScanned: outcome.status === "exported" ? (m.bytesScanned ?? 0) : 0,
      });
      if (outcome.status !== "exported") return;
      const finishedMs = Date.parse(m.finishedAt);
      write("info", embeddedMetricLine(METRIC_NAMESPACE, { Export: kind }, manifestMetrics(m, finishedMs), finishedMs));
    };
    for (const kind of exports) {
      const logger = jsonLogger(write, { requestId: context.awsRequestId, export: kind });
      const failedBefore = failed.length;
      for (const hour of hours) {
        try {
          record(kind, await current.exportHour(kind, hour, { runId, reason: scheduled ? "scheduled" : "manual", force, allowShrink }, logger));
        } catch (error) {
          logger.error("export failed", { export: kind, hour: isoInstant(hour), error: errorMessage(error) });
          failed.push(`${kind} ${isoInstant(hour)}: ${errorMessage(error)}`);
        }
      }
      // An export whose hour just failed is not re-checked: its queries would fail the same way.
      if (!scheduled || failed.length > failedBefore) continue;
      // Lines that reached CloudWatch after their hour was exported (one histogram query per export finds the hours
      // that grew), and hours whose export failed for good, as many as the invocation has time for.
      try {
        const maxRepairs = Math.max(0, Math.floor(context.getRemainingTimeInMillis() / msPerHourEstimate) - exports.length);
        for (const outcome of await current.recheckHours(kind, hours[0] ?? 0, runId, logger, maxRepairs)) record(kind, outcome);
      } catch (error) {
        logger.error("re-check of earlier hours failed", { export: kind, error: errorMessage(error) });
        failed.push(`${kind} re-check of earlier hours: ${errorMessage(error)}`);
      }
    }
    if (failed.length > 0)
      throw new IncompleteExportError(
        `${failed.length} of ${hours.length * exports.length} exports failed (${done.length} completed):\n  ${failed.join("\n  ")}`,
      );
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
