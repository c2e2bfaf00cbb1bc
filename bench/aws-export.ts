/**
 * `npm run bench -- aws-export`: the AWS export's figures (docs/aws-export.md quotes them).
 *
 * - Parse + encode: lines of the procedural Pulp log group of the tests, generated on the fly, parsed by
 *   the export's own transform and written as Parquet, 100,000 and 1,000,000 lines, each run in its own
 *   process (peak RSS is that run's), with V8's default heap and with the Lambda's heap cap; next to
 *   DuckDB (appender + COPY) writing the same parsed rows in the same run, and gzip JSON Lines of the
 *   same rows for bytes per row. The first line is generation alone.
 * - Content exports: 1,000,000 lines of each content type through the same path.
 * - Log formats: the same 1,000,000 access lines written as combined and as nginx JSON, parsed + encoded.
 * - Envelope shapes: an hour of 100,000 mixed Pulp lines in each shape (bare, message, log): rows and malformed lines.
 * - Bytes scanned with and without the server-side file-ending filter, on the content test's hour
 *   (40,000 lines + an 11,000-line second, half of them content downloads) through the fake CloudWatch Logs.
 * - Queries per scheduled hour: the Lambda's handler on the fake CloudWatch Logs and the S3 server, an hour
 *   of 40,000 lines (several parts under the 10,000-row limit), counted at the fake.
 * - The Lambda bundle's size and cold import time.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { formatBytes, renderTable } from "../cli/table.js";
import { silentLogger } from "../shared/core/logger.js";
import { HOUR_MS } from "../shared/core/time.js";
import { CONTENT_TYPES, type ContentType } from "../shared/parsers/content/types.js";
import { ENVELOPE_SHAPES } from "../shared/parsers/envelope.js";
import { LOG_FORMATS, type LogFormat } from "../shared/parsers/log-formats.js";
import { IdentitySanitizer } from "../shared/sanitize/index.js";
import { loadAwsExportSettings } from "../shared/settings/aws.js";
import { createAwsExport, exportDefinition, openFileTarget } from "../shared/wiring/aws.js";
import { createHandler } from "../lambda/handler.js";
import { lambdaContext, scheduledEvent } from "../test/helpers/lambda-events.js";
import { startS3 } from "../test/helpers/s3.js";
import { buildAll } from "../scripts/build.js";
import { fakeClientConfig, startFakeCloudWatchLogs } from "../test/helpers/fake-cloudwatch-logs.js";
import { pulpHourStream } from "../test/helpers/pulp-log-stream.js";
import type { AwsMode, AwsWorkerResult } from "./aws-export-worker.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const OUT_DIR = join(ROOT, ".bench", "aws-export");
const WORKER = join(import.meta.dirname, "aws-export-worker.ts");
/** What terraform/modules/aws-access-log-export sets in NODE_OPTIONS (docs/parquet-writers.md: the memory finding). */
export const LAMBDA_HEAP_MB = 1024;
const RSS_RATIO_LIMIT = 1.5;

async function worker(mode: AwsMode, kind: string, lines: number, heapCap: boolean, format: LogFormat = "pulp"): Promise<AwsWorkerResult> {
  const out = join(OUT_DIR, `${mode}-${kind}-${format}-${lines}.${mode === "jsonl" ? "jsonl.gz" : "parquet"}`);
  const flags = heapCap ? [`--max-old-space-size=${LAMBDA_HEAP_MB}`] : [];
  const { stdout } = await run(process.execPath, [...flags, "--import", "tsx", WORKER, mode, kind, String(lines), out, format], {
    cwd: ROOT,
    maxBuffer: 1 << 20,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  await rm(out, { force: true });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as AwsWorkerResult;
}

const rate = (n: number, seconds: number) => Math.round(n / seconds);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function parseAndEncode(): Promise<void> {
  const rows: Array<Array<string | number>> = [["run", "lines", "rows", "seconds", "lines/s", "rows/s", "peak RSS", "file", "B/row"]];
  const line = (label: string, r: AwsWorkerResult) =>
    rows.push([
      label,
      r.lines,
      r.rows,
      Number(r.seconds.toFixed(2)),
      rate(r.lines, r.seconds),
      rate(r.rows, r.seconds),
      mib(r.peakRssBytes),
      r.bytes === 0 ? "–" : formatBytes(r.bytes),
      r.bytes === 0 ? "–" : Number((r.bytes / r.rows).toFixed(1)),
    ]);
  const results: Record<string, AwsWorkerResult> = {};
  const plan: Array<[string, AwsMode, string, number, boolean, LogFormat?]> = [
    ["generation only (1M)", "lines", "access", 1_000_000, false],
    ["ours: parse + Parquet, 100K", "ours", "access", 100_000, false],
    ["ours: parse + Parquet, 1M", "ours", "access", 1_000_000, false],
    [`ours, --max-old-space-size=${LAMBDA_HEAP_MB}, 100K`, "ours", "access", 100_000, true],
    [`ours, --max-old-space-size=${LAMBDA_HEAP_MB}, 1M`, "ours", "access", 1_000_000, true],
    ["DuckDB appender + COPY, same rows, 1M", "duckdb", "access", 1_000_000, false],
    ["gzip JSON Lines, same rows, 1M", "jsonl", "access", 1_000_000, false],
    ...CONTENT_TYPES.map((t): [string, AwsMode, string, number, boolean] => [`content ${t}: parse + Parquet, 1M`, "ours", t, 1_000_000, false]),
    ...(["combined", "nginx-json"] as const).map((f): [string, AwsMode, string, number, boolean, LogFormat] => [
      `--log-format ${f}: parse + Parquet, 1M`,
      "ours",
      "access",
      1_000_000,
      false,
      f,
    ]),
  ];
  for (const [label, mode, kind, lines, cap, format] of plan) {
    process.stdout.write(`  ${label}…`);
    const result = await worker(mode, kind, lines, cap, format);
    process.stdout.write(` ${result.seconds.toFixed(2)} s, ${mib(result.peakRssBytes)}\n`);
    results[label] = result;
    line(label, result);
  }
  process.stdout.write(`\n${renderTable(rows)}\n\n`);
  const get = (label: string) => results[label] as AwsWorkerResult;
  const ours = get("ours: parse + Parquet, 1M");
  const duck = get("DuckDB appender + COPY, same rows, 1M");
  const jsonl = get("gzip JSON Lines, same rows, 1M");
  const ratio = (a: AwsWorkerResult, b: AwsWorkerResult) => Number((a.peakRssBytes / b.peakRssBytes).toFixed(2));
  const plain = ratio(ours, get("ours: parse + Parquet, 100K"));
  const capped = ratio(get(`ours, --max-old-space-size=${LAMBDA_HEAP_MB}, 1M`), get(`ours, --max-old-space-size=${LAMBDA_HEAP_MB}, 100K`));
  process.stdout.write(
    `parse + encode, 1,000,000 lines: ours ${rate(ours.rows, ours.seconds)} rows/s, DuckDB ${rate(duck.rows, duck.seconds)} rows/s on the same parsed rows: ours / DuckDB = ${(duck.seconds / ours.seconds).toFixed(2)}\n`,
  );
  process.stdout.write(
    `peak RSS 1M / 100K lines: ${plain} with V8's default heap; ${capped} with --max-old-space-size=${LAMBDA_HEAP_MB}, as the Lambda runs (must be ≤ ${RSS_RATIO_LIMIT}: ${capped <= RSS_RATIO_LIMIT ? "ok" : "FAILED"})\n`,
  );
  process.stdout.write(
    `bytes per row: Parquet ${(ours.bytes / ours.rows).toFixed(1)}, gzip JSON Lines ${(jsonl.bytes / jsonl.rows).toFixed(1)} (Parquet is ${((100 * ours.bytes) / jsonl.bytes).toFixed(0)} % of it)\n`,
  );
  for (const t of CONTENT_TYPES) {
    const r = get(`content ${t}: parse + Parquet, 1M`);
    process.stdout.write(
      `content ${t}, 1,000,000 lines: ${rate(r.lines, r.seconds)} lines/s, ${rate(r.rows, r.seconds)} rows/s parse + encode, ${(r.bytes / r.rows).toFixed(1)} B/row\n`,
    );
  }
  for (const f of LOG_FORMATS) {
    const r = get(f === "pulp" ? "ours: parse + Parquet, 1M" : `--log-format ${f}: parse + Parquet, 1M`);
    process.stdout.write(`--log-format ${f}, 1,000,000 lines: ${rate(r.rows, r.seconds)} rows/s parse + encode (${r.rows} rows)\n`);
  }
  if (capped > RSS_RATIO_LIMIT) process.exitCode = 1;
}

/** Rows and malformed lines of an hour of mixed Pulp lines in each envelope shape, through the access export's own transform. */
function perEnvelopeShape(): void {
  const hour = Date.UTC(2026, 1, 4, 14);
  const settings = loadAwsExportSettings({ LOGEXPORT_LOG_GROUPS: "bench", LOGEXPORT_S3_BUCKET: "bench" });
  const rows: Array<Array<string | number>> = [["envelope", "lines", "rows exported", "malformed", "excluded", "lines that are no access line"]];
  for (const shape of ENVELOPE_SHAPES) {
    const transform = exportDefinition(settings, "access").createTransform(new IdentitySanitizer());
    const counts = { lines: 0, row: 0, malformed: 0, excluded: 0, notAccess: 0 };
    for (const event of pulpHourStream({ hourStartMs: hour, eventsInHour: 100_000, envelope: shape, marginSeconds: 0 }).events(hour, hour + HOUR_MS)) {
      counts.lines += 1;
      if (event.kind === "malformed") counts.notAccess += 1;
      counts[transform.apply({ timestamp: event.timestamp, message: event.message, logStream: event.logStreamName }).kind] += 1;
    }
    rows.push([shape, counts.lines, counts.row, counts.malformed, counts.excluded, counts.notAccess]);
  }
  process.stdout.write(`\nan hour of mixed Pulp lines per envelope shape (access export, default filters):\n${renderTable(rows)}\n`);
}

async function scannedWithAndWithoutFilter(): Promise<void> {
  const hour = Date.UTC(2026, 5, 9, 14);
  const stream = pulpHourStream({ hourStartMs: hour, eventsInHour: 40_000, contentShare: 500, bursts: [{ secondStartMs: hour + 600_000, events: 11_000 }] });
  const fake = await startFakeCloudWatchLogs({ groups: [stream] });
  const dir = await mkdtemp(join(tmpdir(), "bench-scan-"));
  const rows: Array<Array<string | number>> = [["type", "server filter", "queries", "bytes scanned", "lines returned", "rows", "unmatched files"]];
  try {
    const settings = loadAwsExportSettings({
      LOGEXPORT_LOG_GROUPS: stream.logGroupName,
      LOGEXPORT_S3_BUCKET: "unused",
      LOGEXPORT_EXPORTS: CONTENT_TYPES.join(","),
    });
    for (const type of CONTENT_TYPES) {
      const seen: number[] = [];
      for (const serverTypeFilter of [true, false]) {
        const exporter = createAwsExport(settings, { logs: new CloudWatchLogsClient(fakeClientConfig(fake, 3)) }, undefined, { serverTypeFilter });
        const { manifest: m } = await exporter.exportToFile(
          type as ContentType,
          { startMs: hour, endMs: hour + HOUR_MS },
          openFileTarget(join(dir, `${type}-${serverTypeFilter}.parquet`), "bench", { region: "us-east-1" }),
          { runId: "bench" },
          silentLogger,
        );
        rows.push([
          type,
          serverTypeFilter ? "file endings" : "path prefix only",
          (m.queryIds ?? []).length,
          formatBytes(m.bytesScanned ?? 0),
          m.readRows,
          m.exportedRows,
          m.excluded["unmatched-filename"] ?? 0,
        ]);
        seen.push(m.exportedRows);
      }
      if (seen[0] !== seen[1]) throw new Error(`${type}: ${seen[0]} rows with the filter, ${seen[1]} without`);
    }
  } finally {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\nbytes scanned with and without the server-side type filter (the content test's hour, fake CloudWatch Logs):\n${renderTable(rows)}\n`);
}

async function queriesPerHour(): Promise<void> {
  const hour = Date.UTC(2026, 5, 9, 14);
  const stream = pulpHourStream({ hourStartMs: hour, eventsInHour: 40_000, marginSeconds: 60 });
  const fake = await startFakeCloudWatchLogs({ groups: [stream] });
  const s3 = await startS3({ buckets: ["bench"] });
  try {
    const settings = loadAwsExportSettings({ LOGEXPORT_LOG_GROUPS: stream.logGroupName, LOGEXPORT_S3_BUCKET: "bench", LOGEXPORT_FILTER_PATHS: "" });
    const handler = createHandler(
      () => createAwsExport(settings, { logs: new CloudWatchLogsClient(fakeClientConfig(fake, 3)), s3: s3.client() }),
      () => undefined,
    );
    const summary = await handler(scheduledEvent(hour + HOUR_MS + 16 * 60_000), lambdaContext("bench"));
    const starts = fake.calls.filter((c) => c.op === "StartQuery");
    const histograms = starts.filter((c) => c.queryString?.includes("stats") === true).length;
    const parts = starts.length - histograms;
    process.stdout.write(
      `\nqueries per scheduled hour (access export, ${summary.hours[0]?.rows ?? 0} rows of 40,000 lines): ${starts.length} StartQuery = ${parts} parts + ${histograms} histograms (the hour's, and the late-data re-check's)\n`,
    );
  } finally {
    await fake.close();
    await s3.stop();
  }
}

async function lambdaBundle(): Promise<void> {
  const figures = await buildAll();
  const lambda = figures.bundles.find((b) => b.file.endsWith("lambda/index.mjs"));
  process.stdout.write(
    `\nLambda bundle dist/lambda/index.mjs: ${formatBytes(lambda?.bytes ?? 0)} (zip ${formatBytes(figures.lambdaZipBytes)}), cold import ${lambda?.coldImportMs.toFixed(1)} ms\n`,
  );
}

export async function benchAwsExport(): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  process.stdout.write(`AWS export: procedural Pulp lines, parsed and encoded as the export does, each run in its own process (Node ${process.version}).\n\n`);
  perEnvelopeShape();
  await parseAndEncode();
  await scannedWithAndWithoutFilter();
  await queriesPerHour();
  await lambdaBundle();
}
