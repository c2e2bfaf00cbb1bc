import type { RecordSanitizer, RecordTransform } from "../core/ports.js";
import type { LogRecord, TransformResult } from "../core/records.js";
import { parseContentAccessLine } from "./content/line.js";
import { parseContentPath } from "./content/path.js";
import { CONTENT_TYPE_SPECS, type ContentType } from "./content/types.js";
import { parseLogRecord } from "./log-line.js";

export interface ContentRowOptions {
  readonly contentType: ContentType;
  /** The content app's path prefix, e.g. `/api/pulp-content/`. */
  readonly pathPrefix: string;
  /** Drop a line whose request path starts with one of these (health checks). */
  readonly excludePaths: readonly string[];
}

/**
 * CloudWatch record → a row of the content type's schema. Other paths and other content types are
 * counted as excluded; a file that does not match its type's grammar is counted as
 * `unmatched-filename` (never guessed); a line that does not parse is malformed, with samples.
 */
export function contentRowTransform(options: ContentRowOptions, sanitizer: RecordSanitizer): RecordTransform {
  const spec = CONTENT_TYPE_SPECS[options.contentType];
  const apply = (record: LogRecord): TransformResult => {
    const read = parseLogRecord(record, parseContentAccessLine, options.excludePaths);
    if (read.kind !== "parsed") return read;
    const { parsed } = read;
    const path = parseContentPath(parsed.path, options.pathPrefix);
    if (path === undefined) return { kind: "excluded", reason: "other-path" };
    if (!spec.extensions.some((e) => path.filename.endsWith(e))) return { kind: "excluded", reason: "other-content-type" };
    const coordinates = spec.coordinates(path);
    if (coordinates === undefined) return { kind: "excluded", reason: "unmatched-filename" };
    const row: LogRecord = {
      timestamp: BigInt(Number(record.timestamp)) * 1_000_000n,
      domain: path.domain,
      distribution: coordinates.distribution,
      package_name: coordinates.packageName,
      package_version: coordinates.packageVersion,
      architecture: coordinates.architecture,
      artifact_path: path.artifactPath,
      artifact_size: parsed.artifactSize,
      status_code: parsed.statusCode,
      cache_hit: parsed.cacheHit,
      user_agent: parsed.userAgent,
      org_id: parsed.orgId,
      x_forwarded_for: parsed.xForwardedFor,
      request_time_ms: parsed.requestTimeMs,
      ...coordinates.extra,
    };
    // The whole row, so field rules by column name apply as well as the text detectors.
    return { kind: "row", row: sanitizer.sanitize(row) };
  };
  return { apply, sanitizer };
}
