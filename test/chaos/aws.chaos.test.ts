/**
 * Chaos on the AWS export: faults injected by a loopback proxy between the SDK clients and the fake
 * CloudWatch Logs API or the S3 server, on an hour of 300,000 Pulp lines, each scenario ending with a
 * row-by-row comparison (timestamp and line, by content hash) of the log group with the Parquet file
 * DuckDB reads back, and one summary line.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { S3Client } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler } from "../../lambda/handler.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { loadAwsExportSettings } from "../../shared/settings/aws.js";
import { createAwsExport } from "../../shared/wiring/aws.js";
import { fakeClientConfig, startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import { pulpHourStream, type PulpLogStream } from "../helpers/pulp-log-stream.js";
import { lambdaContext, scheduledEvent } from "../helpers/lambda-events.js";
import { startS3 } from "../helpers/s3.js";
import { audit, summaryLine } from "./row-audit.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const KEY = "pulp/year=2026/month=02/day=04/hour=14/pulp_access_logs_20260204T140000Z.parquet";
const ROW_KINDS = new Set(["access", "anonymous", "pypiNonPackage", "threat"]);

let fake: FakeCloudWatchLogs;
let stream: PulpLogStream;
let s3: Awaited<ReturnType<typeof startS3>>;
let dir: string;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  stream = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 300_000, bursts: [{ secondStartMs: HOUR + 1_800_000, events: 12_000 }] });
  fake = await startFakeCloudWatchLogs({ groups: [stream] });
  s3 = await startS3({ buckets: ["chaos-a", "chaos-b", "chaos-c"] });
  dir = await mkdtemp(join(tmpdir(), "aws-chaos-"));
}, 60_000);
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await fake.close();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

async function proxy(origin: string): Promise<FaultProxy> {
  const started = await startFaultProxy(origin);
  proxies.push(started);
  return started;
}

const hash = (timestampMs: number | bigint, line: string) => createHash("sha1").update(`${timestampMs}|${line}`).digest("base64");

function expected(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of stream.events(HOUR, HOUR + HOUR_MS))
    if (ROW_KINDS.has(e.kind)) counts.set(hash(e.timestamp, e.line), (counts.get(hash(e.timestamp, e.line)) ?? 0) + 1);
  return counts;
}

async function stored(bucket: string): Promise<Map<string, number>> {
  const file = join(dir, `${bucket}.parquet`);
  await writeFile(file, await (await s3.bucket(bucket)).getBytes(KEY));
  const duck = await (await DuckDBInstance.create(":memory:")).connect();
  const rows = (await duck.runAndReadAll(`SELECT epoch_ms("timestamp")::BIGINT AS t, message FROM '${file}'`)).getRowObjectsJS() as {
    t: bigint;
    message: string;
  }[];
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(hash(r.t, r.message), (counts.get(hash(r.t, r.message)) ?? 0) + 1);
  return counts;
}

async function exportThrough(bucket: string, logsEndpoint: string, s3Endpoint: string): Promise<void> {
  const settings = loadAwsExportSettings({ LOGEXPORT_LOG_GROUPS: stream.logGroupName, LOGEXPORT_S3_BUCKET: bucket, LOGEXPORT_S3_PREFIX: "pulp" });
  const logs = new CloudWatchLogsClient({ ...fakeClientConfig(fake, 4), endpoint: logsEndpoint });
  const client = new S3Client({ ...s3.clientConfig, endpoint: s3Endpoint, maxAttempts: 4 });
  await createHandler(
    () => createAwsExport(settings, { logs, s3: client }),
    () => undefined,
  )(scheduledEvent(HOUR + HOUR_MS + 16 * 60_000), lambdaContext(`chaos-${bucket}`));
}

async function check(scenario: string, bucket: string): Promise<void> {
  const result = audit(expected(), await stored(bucket));
  process.stdout.write(`${summaryLine(scenario, result)}\n`);
  expect(result.expected).toBeGreaterThan(250_000);
  expect(result).toEqual({ expected: result.expected, exported: result.expected, lost: 0, duplicated: 0, unexpected: 0 });
}

// An hour of 274,000 rows through a fault proxy took 37–66 s each on this 2-core machine shared at load 8–10: the default 60 s left no margin.
describe("chaos: the AWS export under faults", { timeout: 180_000 }, () => {
  it("throttling storm and 5xx on the CloudWatch Logs API", async () => {
    const logs = await proxy(fake.url);
    // Twelve 429s and four 503s spread over the export, at most two in a row (the client makes four attempts per call).
    for (let i = 0; i < 6; i += 1) logs.inject({ kind: "status", status: 429, times: 2, skip: 3 + 5 * i });
    for (let i = 0; i < 2; i += 1) logs.inject({ kind: "status", status: 503, times: 2, skip: 40 + 7 * i });
    await exportThrough("chaos-a", logs.url, s3.endpoint);
    expect(logs.pending()).toBe(0);
    await check("throttling storm on the CloudWatch Logs API", "chaos-a");
  });

  it("connection resets mid-download of query results", async () => {
    const logs = await proxy(fake.url);
    logs.inject({ match: { path: /^\/$/ }, kind: "resetMidBody", afterBytes: 100_000, times: 3, skip: 6 });
    await exportThrough("chaos-b", logs.url, s3.endpoint);
    expect(logs.requests.filter((r) => r.fault === "resetMidBody").length).toBe(3);
    await check("connection resets mid-download (CloudWatch Logs)", "chaos-b");
  });

  it("S3 503s during the multipart upload", async () => {
    const bucket = await proxy(s3.endpoint);
    bucket.inject({ match: { method: "PUT", path: /partNumber=/ }, kind: "status", status: 503, times: 3, skip: 1 });
    bucket.inject({ match: { method: "POST", path: /uploadId=/ }, kind: "status", status: 503, times: 1 });
    await exportThrough("chaos-c", fake.url, bucket.url);
    expect(bucket.pending()).toBe(0);
    await check("S3 503s during the multipart upload", "chaos-c");
  });
});
