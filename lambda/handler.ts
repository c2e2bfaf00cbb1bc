import type { Context, ScheduledEvent } from "aws-lambda";
import { ConfigurationError } from "../shared/core/errors.js";
import { jsonLogger, type LogLevel } from "../shared/core/logger.js";
import { floorTo, HOUR_MS, isoInstant } from "../shared/core/time.js";
import type { ObjectManifest } from "../shared/engine/export-object.js";
import { loadAwsExportSettings } from "../shared/settings/aws.js";
import { createAwsExport, type AwsExport } from "../shared/wiring/aws.js";

/** A manual invocation: re-export [start, end) hour by hour. */
export interface ManualRange {
  readonly start: string;
  readonly end: string;
}

export interface ExportSummary {
  readonly hours: ReadonlyArray<{ readonly hour: string; readonly object: string; readonly rows: number; readonly malformed: number; readonly bytesScanned: number }>;
}

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
 * The EventBridge handler: the previous full hour on a schedule, or a manual
 * range. Any incomplete export throws, so Lambda's retries and the
 * dead-letter queue see it.
 */
export function createHandler(exporter: () => AwsExport, write: (level: LogLevel, line: string) => void = (level, line) => (level === "error" ? console.error(line) : console.log(line))) {
  return async (event: ScheduledEvent | ManualRange, context: Context): Promise<ExportSummary> => {
    const current = exporter();
    const hours = hoursOf(event, current.settings.delayMs);
    const needed = hours.length * current.settings.msPerHourEstimate;
    if (needed > context.getRemainingTimeInMillis()) {
      throw new ConfigurationError(`${hours.length} hours would take about ${Math.round(needed / 1000)} s, more than this invocation has left (${Math.round(context.getRemainingTimeInMillis() / 1000)} s); run the export-access-logs CLI for long ranges`);
    }
    const logger = jsonLogger(write, { requestId: context.awsRequestId });
    const summary: ObjectManifest[] = [];
    for (const hour of hours) summary.push(await current.exportHour(hour, `lambda-${context.awsRequestId}`, logger));
    return { hours: summary.map((m, i) => ({ hour: isoInstant(hours[i] ?? 0), object: m.object.name, rows: m.rows, malformed: m.malformed.count, bytesScanned: m.bytesScanned })) };
  };
}

let cached: AwsExport | undefined;

export const handler = createHandler(() => (cached ??= createAwsExport(loadAwsExportSettings(process.env))));
