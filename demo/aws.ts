import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { formatBytes, renderTable } from "../cli/table.js";
import type { DemoResult } from "./result.js";
import { floorTo, HOUR_MS, isoInstant } from "../shared/core/time.js";
import { createHandler } from "../lambda/handler.js";
import { awsExportOn } from "../test/helpers/aws-stack.js";
import { startFakeCloudWatchLogs } from "../test/helpers/fake-cloudwatch-logs.js";
import { lambdaContext, scheduledEvent } from "../test/helpers/lambda-events.js";
import { pulpHourStream } from "../test/helpers/pulp-log-stream.js";
import { startS3, type S3Bucket } from "../test/helpers/s3.js";
import { ACCESS_ROW_KINDS } from "../test/integration/cloudwatch-expected-rows.js";

const GROUP = "/aws/containerinsights/pulp-demo/application";
const BUCKET = "pulp-exports";
const EXPORTS = ["access", "python", "rpm", "maven"] as const;
const EVENTS_IN_HOUR = 12_000;
/** Per mille of the lines that are content-app downloads; the rest are API access-log lines (and probes, warnings, noise). */
const CONTENT_SHARE = 400;

async function download(bucket: S3Bucket, into: string): Promise<number> {
  const keys = await bucket.keys();
  for (const key of keys) {
    const path = join(into, ...key.split("/"));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await bucket.getBytes(key));
  }
  return keys.length;
}

/**
 * Seed 001's side: one hour of Pulp access and content-download logs in the fake CloudWatch Logs, exported by the
 * Lambda handler (as EventBridge would call it at :15) into Parquet on s3rver, then read back with DuckDB.
 * Complete when every export completed and DuckDB reads exactly the rows its manifest counts; its coverage is the hour's, read from the bucket.
 */
export async function runAwsDemo(output: string, say: (line: string) => void): Promise<DemoResult> {
  // Said once here, in one line, instead of the SDK's eight-line process warning (FIELD-NOTES: deploy on nodejs22.x).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  if (Number(process.versions.node.split(".")[0]) < 22)
    say(`\nNote: Node ${process.versions.node}; AWS SDK releases after early January 2027 need Node 22 (the Lambda runs nodejs22.x).`);
  const hourStartMs = floorTo(Date.now(), HOUR_MS) - HOUR_MS;
  const stream = pulpHourStream({ hourStartMs, eventsInHour: EVENTS_IN_HOUR, contentShare: CONTENT_SHARE, logGroupName: GROUP, seed: "demo" });
  say(`\nAWS: starting s3rver and the fake CloudWatch Logs API on loopback…`);
  const fake = await startFakeCloudWatchLogs({ groups: [stream] });
  const s3 = await startS3({ buckets: [BUCKET] });
  const logFile = createWriteStream(join(output, "lambda.log"));
  try {
    const accessLines = [...stream.events(hourStartMs, hourStartMs + HOUR_MS)].filter((e) => ACCESS_ROW_KINDS.has(e.kind)).length;
    say(`  s3rver ${s3.endpoint}, CloudWatch Logs fake ${fake.url}`);
    say(
      `Seeded ${GROUP} with ${stream.count(hourStartMs, hourStartMs + HOUR_MS)} lines over ${isoInstant(hourStartMs)} – ${isoInstant(hourStartMs + HOUR_MS)} (${accessLines} API access lines, ${CONTENT_SHARE / 10} % content downloads).`,
    );
    const exporter = awsExportOn(fake, s3, { LOGEXPORT_LOG_GROUPS: GROUP, LOGEXPORT_S3_BUCKET: BUCKET, LOGEXPORT_EXPORTS: EXPORTS.join(",") });
    const handler = createHandler(
      () => exporter,
      (level, line) => logFile.write(`${level} ${line}\n`),
    );
    say(`\nLambda handler (EventBridge schedule at ${isoInstant(hourStartMs + HOUR_MS + 15 * 60_000)})…`);
    const summary = await handler(scheduledEvent(hourStartMs + HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("demo"));

    const into = join(output, "s3", BUCKET);
    const objects = await download(await s3.bucket(BUCKET), into);
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const rows: (string | number)[][] = [["export", "status", "rows exported", "malformed", "GB scanned", "rows DuckDB reads", "object"]];
    let complete = summary.hours.length === EXPORTS.length;
    for (const hour of summary.hours) {
      const [read] = (await duck.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet('${join(into, hour.object)}')`)).getRowObjectsJS();
      const counted = Number(read?.n ?? -1);
      complete &&= hour.status === "exported" && counted === hour.rows && (hour.export !== "access" || hour.rows === accessLines);
      rows.push([hour.export, hour.status, hour.rows, hour.malformed, (hour.bytesScanned / 1e9).toFixed(3), counted, hour.object]);
    }
    say(`\n${renderTable(rows)}`);

    const accessFiles = join(into, "pulp-access-logs", "**", "*.parquet");
    const query = `SELECT package, count(*)::BIGINT AS requests, count(DISTINCT org_id)::BIGINT AS orgs FROM read_parquet('${accessFiles}') WHERE package IS NOT NULL GROUP BY package ORDER BY requests DESC, package LIMIT 5`;
    const top = (await duck.runAndReadAll(query)).getRowObjectsJS();
    say(`\nDuckDB over the copied-out bucket, the most requested packages:\n  ${query.replace(join(output, "s3"), ".demo-output/s3")}`);
    say(renderTable([["package", "requests", "orgs"], ...top.map((r) => [String(r.package), Number(r.requests), Number(r.orgs)])]));
    const bytes = summary.hours.reduce((n, h) => n + h.bytesScanned, 0);
    say(`\nOutput (${objects} objects, copied out of s3rver): ${into}/   logs: lambda.log`);
    say(
      `AWS summary: ${summary.hours.length} exports of ${isoInstant(hourStartMs)}, ${summary.hours.reduce((n, h) => n + h.rows, 0)} rows to Parquet, ${formatBytes(bytes)} scanned; ${complete ? "every row exported once, and DuckDB reads them all." : "INCOMPLETE: exported rows differ from the source."}`,
    );
    const tables = await exporter.coverage(EXPORTS, { startMs: hourStartMs, endMs: hourStartMs + HOUR_MS }, Date.now());
    return { complete, coverage: { name: `AWS CloudWatch Logs, s3://${BUCKET} on s3rver (hours)`, tables } };
  } finally {
    logFile.end();
    await fake.close();
    await s3.stop();
  }
}
