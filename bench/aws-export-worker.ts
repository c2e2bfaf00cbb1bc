/**
 * One AWS-export measurement in its own process, so its peak RSS is its own. Run by bench/aws-export.ts:
 *
 *   node [--max-old-space-size=N] --import tsx bench/aws-export-worker.ts <mode> <export> <lines> <out> [log format]
 *
 * Lines come from the procedural Pulp log group of the tests (envelopes, pip user agents, health
 * checks, malformed lines; content lines of one type for a content export), generated on the fly,
 * parsed by the export's own transform and written as the export writes them (mode `ours`), as gzip
 * JSON Lines (`jsonl`), through DuckDB (`duckdb`, access only) or not at all (`lines`: generation
 * alone). With a log format other than pulp, the access lines are rewritten in it (combined, nginx JSON)
 * and every other line stays as it is. Prints one JSON line (AwsWorkerResult).
 */
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { LogRecord } from "../shared/core/records.js";
import type { PulpAccessLogRow } from "../shared/formats/parquet/schema.js";
import { JsonLinesGzipEncoder } from "../shared/formats/jsonl-gzip/encoder.js";
import { IdentitySanitizer } from "../shared/sanitize/index.js";
import { LOG_FORMATS, type LogFormat } from "../shared/parsers/log-formats.js";
import { loadAwsExportSettings, type ExportKind } from "../shared/settings/aws.js";
import { exportDefinition } from "../shared/wiring/aws.js";
import { pulpHourStream, type PulpLogEvent } from "../test/helpers/pulp-log-stream.js";
import { combinedLine, nginxJsonLine } from "../test/helpers/web-log-lines.js";
import { duckdbAccessLogFile } from "./parquet-writers-worker.js";

export const AWS_MODES = ["lines", "ours", "jsonl", "duckdb"] as const;
export type AwsMode = (typeof AWS_MODES)[number];

export interface AwsWorkerResult {
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly lines: number;
  readonly rows: number;
  readonly bytes: number;
}

const HOUR = Date.UTC(2026, 1, 4, 14);

function messageIn(format: LogFormat, event: PulpLogEvent): string {
  if (format === "pulp" || event.access === undefined) return event.message;
  return format === "combined" ? combinedLine(event.access, event.timestamp) : nginxJsonLine(event.access, event.timestamp);
}

function* records(kind: ExportKind, lines: number, format: LogFormat): Generator<LogRecord> {
  const stream = pulpHourStream(
    kind === "access"
      ? { hourStartMs: HOUR, eventsInHour: lines, marginSeconds: 0 }
      : { hourStartMs: HOUR, eventsInHour: lines, marginSeconds: 0, contentShare: 1000, contentType: kind },
  );
  for (const event of stream.events(HOUR, HOUR + 3_600_000))
    yield { timestamp: event.timestamp, message: messageIn(format, event), logStream: event.logStreamName };
}

async function measure(
  mode: AwsMode,
  kind: ExportKind,
  lines: number,
  out: string,
  format: LogFormat,
): Promise<Omit<AwsWorkerResult, "seconds" | "peakRssBytes" | "bytes">> {
  const settings = loadAwsExportSettings({
    LOGEXPORT_LOG_GROUPS: "bench",
    LOGEXPORT_S3_BUCKET: "bench",
    LOGEXPORT_EXPORTS: kind,
    LOGEXPORT_LOG_FORMAT: format,
  });
  const definition = exportDefinition(settings, kind);
  const transform = definition.createTransform(new IdentitySanitizer());
  let read = 0;
  let rows = 0;
  function* parsed(): Generator<LogRecord> {
    for (const record of records(kind, lines, format)) {
      read += 1;
      if (mode === "lines") continue;
      const result = transform.apply(record);
      if (result.kind !== "row") continue;
      rows += 1;
      yield result.row;
    }
  }
  if (mode === "duckdb") {
    await duckdbAccessLogFile(parsed() as Generator<PulpAccessLogRow>, out);
  } else if (mode === "lines") {
    for (const _ of parsed()) rows += 1;
  } else {
    const encoder = mode === "ours" ? definition.encoder : new JsonLinesGzipEncoder();
    await pipeline(Readable.from(encoder.encode(Readable.from(parsed()), [])), createWriteStream(out));
  }
  return { lines: read, rows };
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const [mode, kind, linesArg, out, format = "pulp"] = process.argv.slice(2);
  if (
    !(AWS_MODES as readonly string[]).includes(mode ?? "") ||
    kind === undefined ||
    linesArg === undefined ||
    out === undefined ||
    !(LOG_FORMATS as readonly string[]).includes(format)
  ) {
    throw new Error(`usage: aws-export-worker.ts <${AWS_MODES.join("|")}> <access|python|rpm|maven> <lines> <out> [${LOG_FORMATS.join("|")}]`);
  }
  const started = performance.now();
  const counted = await measure(mode as AwsMode, kind as ExportKind, Number(linesArg), out, format as LogFormat);
  const seconds = (performance.now() - started) / 1000;
  const bytes = mode === "lines" ? 0 : (await stat(out)).size;
  const result: AwsWorkerResult = { seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, bytes, ...counted };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
