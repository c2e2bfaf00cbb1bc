import type { RecordSanitizer, RecordTransform } from "../core/ports.js";
import type { LogRecord, TransformResult } from "../core/records.js";
import { PULP_ACCESS_LOG_SCHEMA, type ParquetSchema } from "../formats/parquet/schema.js";
import { LOG_FORMAT_PARSERS, type LogFormat } from "./log-formats.js";
import { parseLogRecord } from "./log-line.js";
import { pypiCoordinates } from "./pypi-path.js";
import { isBot, threatOf } from "./request-signals.js";

/** `--enrich`: what none of the seeds' users have in one place. */
export const PULP_ENRICHED_SCHEMA: ParquetSchema = Object.freeze([
  ...PULP_ACCESS_LOG_SCHEMA,
  { name: "method", type: "string", nullable: true },
  { name: "path", type: "string", nullable: true },
  { name: "response_bytes", type: "int64", nullable: true },
  { name: "duration_ms", type: "int32", nullable: true },
  { name: "correlation_id", type: "string", nullable: true },
  { name: "is_bot", type: "bool", nullable: true },
  { name: "threat", type: "string", nullable: true },
] as const);

export interface AccessRowOptions {
  /** How each line is written (default `pulp`). */
  readonly logFormat: LogFormat;
  /** Keep a line only when its request path starts with one of these. */
  readonly includePaths: readonly string[];
  /** Drop a line whose request path starts with one of these (health checks). */
  readonly excludePaths: readonly string[];
  readonly enrich: boolean;
}

/**
 * CloudWatch record → a row of the seed's schema, whatever the line's format and envelope. Lines the
 * export does not want are counted as excluded with a reason; lines that do not parse are counted as
 * malformed (with samples), never dropped silently.
 */
export function accessRowTransform(options: AccessRowOptions, sanitizer: RecordSanitizer): RecordTransform {
  const parse = LOG_FORMAT_PARSERS[options.logFormat];
  const apply = (record: LogRecord): TransformResult => {
    const read = parseLogRecord(record, parse, options.excludePaths);
    if (read.kind !== "parsed") return read;
    const { line, parsed } = read;
    if (options.includePaths.length > 0 && !options.includePaths.some((p) => parsed.path.startsWith(p))) return { kind: "excluded", reason: "other-path" };
    const coordinates = pypiCoordinates(parsed.path);
    const row: LogRecord = {
      timestamp: BigInt(Number(record.timestamp)) * 1_000_000n,
      message: line,
      user: parsed.user,
      org_id: parsed.orgId,
      domain: coordinates.domain ?? "",
      distribution: coordinates.distribution ?? "",
      package: coordinates.package ?? "",
      status_code: parsed.statusCode,
      user_agent: parsed.userAgent ?? "",
      x_forwarded_for: parsed.xForwardedFor ?? "",
    };
    if (options.enrich) {
      Object.assign(row, {
        method: parsed.method,
        path: parsed.path,
        response_bytes: parsed.responseBytes,
        duration_ms: parsed.durationMs,
        correlation_id: parsed.correlationId,
        is_bot: isBot(parsed.userAgent),
        threat: threatOf(parsed.path),
      });
    }
    // The whole row, so field rules by column name (pseudonymize `user`, say) apply as well as the text detectors.
    return { kind: "row", row: sanitizer.sanitize(row) };
  };
  return { apply, sanitizer };
}
