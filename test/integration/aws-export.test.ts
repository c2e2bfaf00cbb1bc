import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { Context, ScheduledEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler } from "../../lambda/handler.js";
import { HOUR_MS } from "../../shared/core/time.js";
import type { ObjectManifest } from "../../shared/engine/export-object.js";
import { loadAwsExportSettings } from "../../shared/settings/aws.js";
import { createAwsExport } from "../../shared/wiring/aws.js";
import { fakeClientConfig, startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { pulpHourStream, type PulpLogStream } from "../helpers/pulp-log-stream.js";
import { startS3 } from "../helpers/s3.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const GROUP = "/aws/containerinsights/pulp-prod/application";
const ROW_KINDS = new Set(["access", "anonymous", "pypiNonPackage", "threat"]);

let fake: FakeCloudWatchLogs;
let stream: PulpLogStream;
let s3: Awaited<ReturnType<typeof startS3>>;
let dir: string;
let duck: DuckDBConnection;

beforeAll(async () => {
  stream = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 50_000, bursts: [{ secondStartMs: HOUR + 1_234_000, events: 12_000 }], logGroupName: GROUP });
  fake = await startFakeCloudWatchLogs({ groups: [stream] });
  s3 = await startS3({ buckets: ["exports"] });
  dir = await mkdtemp(join(tmpdir(), "aws-export-"));
  duck = await (await DuckDBInstance.create(":memory:")).connect();
}, 60_000);
afterAll(async () => {
  await fake.close();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

function exporter() {
  const settings = loadAwsExportSettings({ LOGEXPORT_LOG_GROUPS: GROUP, LOGEXPORT_S3_BUCKET: "exports", LOGEXPORT_S3_PREFIX: "pulp", LOGEXPORT_QUERY_CONCURRENCY: "4", LOGEXPORT_ENRICH: "true" });
  return createAwsExport(settings, { logs: new CloudWatchLogsClient(fakeClientConfig(fake, 3)), s3: s3.client() });
}

function context(remainingMs = 900_000): Context {
  return { awsRequestId: "req-1", getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}

function scheduled(timeMs: number): ScheduledEvent {
  return { version: "0", id: "e", "detail-type": "Scheduled Event", source: "aws.events", account: "1", time: new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, "Z"), region: "us-east-1", resources: [], detail: {} };
}

function truth(startMs: number, endMs: number) {
  let rows = 0;
  let malformed = 0;
  for (const e of stream.events(startMs, endMs)) {
    if (ROW_KINDS.has(e.kind)) rows += 1;
    else if (e.kind === "malformed") malformed += 1;
  }
  return { rows, malformed };
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

describe("the AWS export (Lambda handler → fake CloudWatch Logs → Parquet on S3)", () => {
  it("exports the previous hour from the scheduled event: every row once, none across the edges, malformed lines counted", async () => {
    const handler = createHandler(exporter, () => undefined);
    const summary = await handler(scheduled(HOUR + HOUR_MS + 15 * 60_000 + 3_000), context());
    const key = "pulp/year=2026/month=02/day=04/hour=14/pulp_access_logs_20260204T140000Z.parquet";
    expect(summary.hours.map((h) => h.object)).toEqual([key]);
    const expected = truth(HOUR, HOUR + HOUR_MS);
    const manifest = JSON.parse((await (await s3.bucket("exports")).getBytes(`${key}.manifest.json`)).toString()) as ObjectManifest;
    expect(manifest).toMatchObject({ rows: expected.rows, malformed: { count: expected.malformed } });
    expect(manifest.malformed.samples.length).toBeGreaterThan(0);
    expect(manifest.sanitizer).toEqual({ name: "identity", counts: {} });
    expect(manifest.readLines).toBe(manifest.expectedLines);
    expect(manifest.parts.every((p) => p.readLines <= 10_000)).toBe(true);
    expect(manifest.queryIds.length).toBe(manifest.histogramQueries + manifest.parts.filter((p) => p.method === "query").length);

    const file = join(dir, "hour.parquet");
    await writeFile(file, await (await s3.bucket("exports")).getBytes(key));
    const [stats] = await query(`SELECT count(*)::INTEGER AS n, min(epoch_ms("timestamp"))::BIGINT AS first, max(epoch_ms("timestamp"))::BIGINT AS last, count(*) FILTER (WHERE "user" IS NULL)::INTEGER AS anonymous FROM '${file}'`);
    expect(stats?.n).toBe(expected.rows);
    expect(Number(stats?.first)).toBeGreaterThanOrEqual(HOUR);
    expect(Number(stats?.last)).toBeLessThan(HOUR + HOUR_MS);
    expect(Number(stats?.anonymous)).toBeGreaterThan(0);
    const types = Object.fromEntries((await query(`DESCRIBE SELECT * FROM '${file}'`)).map((r) => [r.column_name, r.column_type]));
    expect(types).toMatchObject({ timestamp: "TIMESTAMP WITH TIME ZONE", status_code: "SMALLINT", user: "VARCHAR", is_bot: "BOOLEAN", response_bytes: "BIGINT", duration_ms: "INTEGER" });
    const threats = await query(`SELECT threat, count(*)::INTEGER AS n FROM '${file}' WHERE threat IS NOT NULL GROUP BY threat ORDER BY threat`);
    expect(threats.length).toBe(5);
  });

  it("re-exports a manual range hour by hour with the same bytes, and refuses a range that cannot finish in time", async () => {
    const handler = createHandler(exporter, () => undefined);
    const key = "pulp/year=2026/month=02/day=04/hour=14/pulp_access_logs_20260204T140000Z.parquet";
    const before = await (await s3.bucket("exports")).getBytes(key);
    const summary = await handler({ start: new Date(HOUR).toISOString(), end: new Date(HOUR + HOUR_MS).toISOString() }, context());
    expect(summary.hours).toHaveLength(1);
    expect((await (await s3.bucket("exports")).getBytes(key)).equals(before)).toBe(true);
    await expect(handler({ start: new Date(HOUR - 24 * HOUR_MS).toISOString(), end: new Date(HOUR).toISOString() }, context(60_000))).rejects.toThrow(/export-access-logs/);
    await expect(handler({ start: "yesterday", end: new Date(HOUR).toISOString() }, context())).rejects.toThrow(/whole-hour ISO instants/);
  });

  it("throws when a query keeps failing, leaving no object behind", async () => {
    const handler = createHandler(exporter, () => undefined);
    fake.inject({ on: "StartQuery", kind: "fail", status: "Failed", times: 20, queryMatches: /fields/ });
    // Hour 15 holds the first ten minutes of traffic after the generated hour's margin.
    await expect(handler(scheduled(HOUR + 2 * HOUR_MS + 20 * 60_000), context())).rejects.toThrow(/Failed/);
    expect(await (await s3.bucket("exports")).keys("pulp/year=2026/month=02/day=04/hour=15/")).toEqual([]);
  });
});
