import { basename, dirname, resolve } from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { S3Client } from "@aws-sdk/client-s3";
import { jsonLogger } from "../../shared/core/logger.js";
import type { ObjectStore } from "../../shared/core/ports.js";
import { describeRange } from "../../shared/core/time.js";
import { measureWindow, packParts } from "../../shared/engine/parts.js";
import { loadAwsExportSettings } from "../../shared/settings/aws.js";
import { LocalObjectStore } from "../../shared/sinks/local/store.js";
import { S3ObjectStore } from "../../shared/sinks/s3/store.js";
import { cloudWatchSource, createAwsExport } from "../../shared/wiring/aws.js";
import { parseFlags, stringFlag, usage, type FlagSpec } from "../args.js";
import { runIdFor } from "../common.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { formatSeconds, ProgressBar } from "../progress.js";
import { formatBytes, renderTable } from "../table.js";
import { parseInstant } from "../time.js";

export const ACCESS_LOG_FLAGS: readonly FlagSpec[] = [
  { name: "cloudwatch-group", required: true, description: "CloudWatch log group name (several separated by commas)" },
  { name: "cloudwatch-stream", description: "only this log stream" },
  { name: "start-time", required: true, description: 'start, ISO 8601 or relative ("1 hour ago", "15 minutes ago", "now")' },
  { name: "end-time", default: "now", description: "end, exclusive" },
  { name: "output-path", required: true, description: "a local .parquet file or s3://bucket/key.parquet (a manifest is written beside it)" },
  { name: "aws-region", default: "us-east-1", description: "AWS region" },
  { name: "filter-paths", default: "/api/pypi/", description: "keep requests whose path starts with one of these (comma-separated)" },
  { name: "exclude-paths", default: "/livez,/status", description: "drop requests whose path starts with one of these" },
  { name: "enrich", boolean: true, description: "add method, path, response_bytes, duration_ms, correlation_id, is_bot and threat columns" },
  { name: "sanitize", boolean: true, description: "pass the string columns through the sanitizer (built-in rules; LOGEXPORT_HMAC_KEY for pseudonyms)" },
  { name: "sanitizer-config", description: "sanitizer config file (JSON or YAML), with --sanitize" },
  { name: "concurrency", default: "4", description: "Logs Insights queries in flight" },
  { name: "dry-run", boolean: true, description: "print the plan (parts, expected rows, bytes scanned, cost) and write nothing" },
  { name: "verbose", boolean: true, description: "structured logs on stderr" },
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY = "Exports Pulp access logs from CloudWatch Logs to one Parquet file with the seed's schema, losing and doubling nothing. Exit codes: 0 done, 1 export failed, 2 bad flags, 130 interrupted.";

/** Logs Insights list price per GB scanned (us-east-1). */
const PRICE_PER_GB_SCANNED = 0.005;

function output(path: string, region: string): { store: ObjectStore; name: string; shown: string } {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(path);
  if (s3 !== null) return { store: new S3ObjectStore(new S3Client({ region }), s3[1] ?? ""), name: s3[2] ?? "", shown: path };
  if (path.startsWith("s3://")) throw new CliError(`--output-path ${JSON.stringify(path)} needs a bucket and a key: s3://bucket/key.parquet`);
  const file = resolve(path);
  return { store: new LocalObjectStore(dirname(file)), name: basename(file), shown: file };
}

export async function exportAccessLogsCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("export-access-logs", SUMMARY, ACCESS_LOG_FLAGS).replace("logexport export-access-logs", "export-access-logs"));
    return 0;
  }
  const flags = parseFlags(argv, ACCESS_LOG_FLAGS);
  const nowMs = io.now();
  const range = { startMs: parseInstant(stringFlag(flags, "start-time") ?? "", nowMs, "--start-time"), endMs: parseInstant(stringFlag(flags, "end-time") ?? "", nowMs, "--end-time") };
  if (range.endMs <= range.startMs) throw new CliError(`--start-time must be before --end-time, got ${describeRange(range)}`);
  const settings = loadAwsExportSettings({
    LOGEXPORT_LOG_GROUPS: stringFlag(flags, "cloudwatch-group"),
    LOGEXPORT_LOG_STREAM: stringFlag(flags, "cloudwatch-stream"),
    LOGEXPORT_S3_BUCKET: "unused-by-the-cli",
    LOGEXPORT_FILTER_PATHS: stringFlag(flags, "filter-paths"),
    LOGEXPORT_EXCLUDE_PATHS: stringFlag(flags, "exclude-paths"),
    LOGEXPORT_QUERY_CONCURRENCY: stringFlag(flags, "concurrency"),
    LOGEXPORT_ENRICH: flags.enrich === true ? "true" : "false",
    LOGEXPORT_SANITIZE: flags.sanitize === true ? "on" : "off",
    LOGEXPORT_SANITIZER_CONFIG: stringFlag(flags, "sanitizer-config"),
    LOGEXPORT_HMAC_KEY: io.env.LOGEXPORT_HMAC_KEY,
  });
  const region = stringFlag(flags, "aws-region") ?? "us-east-1";
  const logs = new CloudWatchLogsClient({ region });
  const logger = jsonLogger(flags.verbose === true ? (_level, line) => io.stderr.write(`${line}\n`) : () => undefined);
  if (flags["dry-run"] === true) {
    const source = cloudWatchSource(settings, logs);
    const budget = { maxRows: settings.queryRowLimit, maxBytes: Number.MAX_SAFE_INTEGER };
    const measured = await measureWindow(range, budget, (r, binMs) => source.histogram("access-logs", r, binMs, { abortSignal: io.signal }), { scanDenseSlices: true });
    const parts = packParts(range, measured.bins, budget);
    const scanned = source.statistics().bytesScanned;
    // The export's part queries scan the range once more; the histogram already did once.
    const gb = (2 * scanned) / 1e9;
    io.stdout.write(`${renderTable([
      ["range", "expected lines", "part queries", "exact scans", "histogram queries", "bytes scanned (est.)", "cost (est.)"],
      [describeRange(range), parts.reduce((n, p) => n + p.expectedRows, 0), parts.filter((p) => p.scan !== true).length, parts.filter((p) => p.scan === true).length, measured.histogramQueries, formatBytes(2 * scanned), `$${(gb * PRICE_PER_GB_SCANNED).toFixed(4)}`],
    ])}\n\ndry run: nothing was written\n`);
    return 0;
  }
  const target = output(stringFlag(flags, "output-path") ?? "", region);
  const exporter = createAwsExport(settings, { logs, s3: new S3Client({ region }) });
  let bar: ProgressBar | undefined;
  const started = Date.now();
  const manifest = await exporter.exportRange(range, target.store, target.name, runIdFor("cli", nowMs), logger, {
    abortSignal: io.signal,
    onProgress: (p) => {
      bar ??= new ProgressBar(io.stderr, p.parts, "parts");
      bar.update(p.partsRead, `lines ${p.linesRead}/${p.expectedLines}`, p.partsRead === p.parts);
    },
  });
  bar?.finish();
  io.stdout.write(`${renderTable([
    ["output", "rows", "lines read", "malformed", "excluded", "bytes", "bytes scanned", "seconds"],
    [target.shown, manifest.rows, manifest.readLines, manifest.malformed.count, Object.values(manifest.excluded).reduce((a, b) => a + b, 0), formatBytes(manifest.object.bytes), formatBytes(manifest.bytesScanned), formatSeconds((Date.now() - started) / 1000)],
  ])}\n`);
  return 0;
}
