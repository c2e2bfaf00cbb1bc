import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler, type ManualRange } from "../../lambda/handler.js";
import { HOUR_MS } from "../../shared/core/time.js";
import type { ExportManifest } from "../../shared/engine/manifest.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { manifestName } from "../../shared/engine/naming.js";
import { hourManifest } from "../helpers/aws-manifests.js";
import { pulpHourStream, type PulpLogStream } from "../helpers/pulp-log-stream.js";
import { scheduledEvent, lambdaContext } from "../helpers/lambda-events.js";
import { awsExportOn } from "../helpers/aws-stack.js";
import { startS3 } from "../helpers/s3.js";
import { ACCESS_ROW_KINDS, expectedAccessRows, readAccessRows, rowDifferences } from "./cloudwatch-expected-rows.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const GROUP = "/aws/containerinsights/pulp-prod/application";
const KEY = "pulp/year=2026/month=02/day=04/hour=14/pulp_access_logs_20260204T140000Z.parquet";

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
  return awsExportOn(fake, s3, {
    LOGEXPORT_LOG_GROUPS: GROUP,
    LOGEXPORT_S3_BUCKET: "exports",
    LOGEXPORT_S3_PREFIX: "pulp",
    LOGEXPORT_QUERY_CONCURRENCY: "4",
    LOGEXPORT_ENRICH: "true",
  });
}

function truth(startMs: number, endMs: number) {
  let rows = 0;
  let malformed = 0;
  for (const e of stream.events(startMs, endMs)) {
    if (ACCESS_ROW_KINDS.has(e.kind)) rows += 1;
    else if (e.kind === "malformed") malformed += 1;
  }
  return { rows, malformed };
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** The bytes of the hour's object that its manifest lists now (a forced re-export writes the next generation's name). */
async function currentObject(): Promise<{ name: string; bytes: Buffer }> {
  const name = (await manifestOf()).objects[0]?.name ?? "";
  return { name, bytes: await (await s3.bucket("exports")).getBytes(name) };
}

async function manifestOf(statePrefix = "_logexport"): Promise<ExportManifest> {
  return hourManifest(await s3.bucket("exports"), "pulp_access_logs", HOUR, statePrefix);
}

/** The hour as the scheduled run exports it, whatever ran before, so each test also runs alone (vitest -t). */
async function exportedOnce(): Promise<void> {
  const bucket = await s3.bucket("exports");
  if (await bucket.exists(`_logexport/${manifestName("pulp_access_logs", { startMs: HOUR, endMs: HOUR + HOUR_MS })}`)) return;
  await createHandler(exporter, () => undefined)(scheduledEvent(HOUR + HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("setup"));
}

/** The object downloaded to a local file DuckDB can read. */
async function download(key: string, name: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, await (await s3.bucket("exports")).getBytes(key));
  return file;
}

describe("the AWS export (Lambda handler → fake CloudWatch Logs → Parquet on S3)", () => {
  it("exports the previous hour from the scheduled event: every row once, none across the edges, malformed lines counted", async () => {
    const handler = createHandler(exporter, () => undefined);
    const summary = await handler(scheduledEvent(HOUR + HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("req-1"));
    expect(summary.hours.map((h) => h.object)).toEqual([KEY]);
    const expected = truth(HOUR, HOUR + HOUR_MS);
    const manifest = await manifestOf();
    expect(manifest).toMatchObject({ exportedRows: expected.rows, malformed: { count: expected.malformed } });
    expect(manifest.malformed.samples.length).toBeGreaterThan(0);
    expect(manifest.sanitizer).toEqual({ name: "identity", counts: {} });
    expect(manifest.readRows).toBe(manifest.expectedRows);
    expect(manifest.parts.every((p) => p.readRows <= 10_000)).toBe(true);
    expect((manifest.queryIds ?? []).length).toBe(manifest.histogram.queries + manifest.parts.filter((p) => p.method === "query").length);

    const file = await download(KEY, "hour.parquet");
    const [stats] = await query(
      `SELECT count(*)::INTEGER AS n, min(epoch_ms("timestamp"))::BIGINT AS first, max(epoch_ms("timestamp"))::BIGINT AS last, count(*) FILTER (WHERE "user" IS NULL)::INTEGER AS anonymous FROM '${file}'`,
    );
    expect(stats?.n).toBe(expected.rows);
    expect(Number(stats?.first)).toBeGreaterThanOrEqual(HOUR);
    expect(Number(stats?.last)).toBeLessThan(HOUR + HOUR_MS);
    expect(Number(stats?.anonymous)).toBeGreaterThan(0);
    const types = Object.fromEntries((await query(`DESCRIBE SELECT * FROM '${file}'`)).map((r) => [r.column_name, r.column_type]));
    expect(types).toMatchObject({
      timestamp: "TIMESTAMP_NS",
      status_code: "SMALLINT",
      user: "VARCHAR",
      is_bot: "BOOLEAN",
      response_bytes: "BIGINT",
      duration_ms: "INTEGER",
    });
    const threats = await query(`SELECT threat, count(*)::INTEGER AS n FROM '${file}' WHERE threat IS NOT NULL GROUP BY threat ORDER BY threat`);
    expect(threats.length).toBe(5);
    const rows = await readAccessRows(duck, file);
    expect(rows).toHaveLength(expected.rows);
    expect(rowDifferences(rows, expectedAccessRows(stream.events(HOUR, HOUR + HOUR_MS)))).toEqual([]);
    const burst = rows.filter((r) => r.timestamp >= HOUR + 1_234_000 && r.timestamp < HOUR + 1_235_000);
    expect(rowDifferences(burst, expectedAccessRows(stream.events(HOUR + 1_234_000, HOUR + 1_235_000)))).toEqual([]);
  });

  it("re-exports a manual range hour by hour with the same bytes, and refuses a range that cannot finish in time", async () => {
    await exportedOnce();
    const handler = createHandler(exporter, () => undefined);
    const before = await currentObject();
    const summary = await handler({ start: new Date(HOUR).toISOString(), end: new Date(HOUR + HOUR_MS).toISOString(), force: true }, lambdaContext("req-1"));
    expect(summary.hours).toHaveLength(1);
    const after = await currentObject();
    expect(after.bytes.equals(before.bytes)).toBe(true);
    // The next generation's name; the one it replaced is gone once the new manifest is committed.
    expect(after.name).toMatch(/_g\d+\.parquet$/);
    expect(await (await s3.bucket("exports")).keys("pulp/year=2026/month=02/day=04/hour=14/")).toEqual([after.name]);
    await expect(
      handler({ start: new Date(HOUR - 24 * HOUR_MS).toISOString(), end: new Date(HOUR).toISOString() }, lambdaContext("req-1", 60_000)),
    ).rejects.toThrow(/export-access-logs/);
    await expect(handler({ start: "yesterday", end: new Date(HOUR).toISOString() }, lambdaContext("req-1"))).rejects.toThrow(/whole-hour ISO instants/);
    await expect(
      handler(
        { start: new Date(HOUR).toISOString(), end: new Date(HOUR + HOUR_MS).toISOString(), force: true, allowShrink: "yes" } as unknown as ManualRange,
        lambdaContext("req-1"),
      ),
    ).rejects.toThrow(/allowShrink must be true or false, got "yes"/);
  });

  it("retries a part whose query keeps failing past the SDK's attempts, and writes the same bytes", async () => {
    await exportedOnce();
    const before = await currentObject();
    // Only the first part's query: StartQuery answers 503 to all three of the SDK's attempts, so the engine retries the part.
    fake.inject({ on: "StartQuery", kind: "status", status: 503, times: 3, queryMatches: new RegExp(`^fields [^|]*\\| filter @timestamp >= ${HOUR} and`) });
    const summary = await createHandler(exporter, () => undefined)(
      { start: new Date(HOUR).toISOString(), end: new Date(HOUR + HOUR_MS).toISOString(), force: true },
      lambdaContext("req-1"),
    );
    expect(summary.hours.map((h) => h.rows)).toEqual([truth(HOUR, HOUR + HOUR_MS).rows]);
    const manifest = await manifestOf();
    expect(manifest.parts.map((p) => p.attempts)).toEqual(manifest.parts.map((p) => (p.index === 1 ? 2 : 1)));
    expect(fake.calls.filter((c) => c.fault === "status")).toHaveLength(3);
    expect((await currentObject()).bytes.equals(before.bytes)).toBe(true);
  });

  it("throws when a query keeps failing, leaving no object behind", async () => {
    const handler = createHandler(exporter, () => undefined);
    fake.inject({ on: "StartQuery", kind: "fail", status: "Failed", times: 20, queryMatches: /fields/ });
    // Hour 15 holds the first ten minutes of traffic after the generated hour's margin.
    await expect(handler(scheduledEvent(HOUR + 2 * HOUR_MS + 20 * 60_000), lambdaContext("req-1"))).rejects.toThrow(/Failed/);
    expect(await (await s3.bucket("exports")).keys("pulp/year=2026/month=02/day=04/hour=15/")).toEqual([]);
  });
});

describe("a millisecond too dense for any query (Lambda handler → FilterLogEvents scan parts → Parquet on S3)", () => {
  // A 10-row query limit plans parts under 9 lines; the burst second's 12,000 events put about 12 in each
  // millisecond (about 10.7 past the server-side filter), so most of its milliseconds must be scanned.
  const ROW_LIMIT = 10;
  const BURST = HOUR + 1_234_000;
  const DENSE_KEY = "dense/year=2026/month=02/day=04/hour=14/pulp_access_logs_20260204T140000Z.parquet";
  let dense: FakeCloudWatchLogs;
  let denseStream: PulpLogStream;

  beforeAll(async () => {
    // 360 regular events: 6 a minute, so only the burst second needs finer histograms.
    denseStream = pulpHourStream({
      hourStartMs: HOUR,
      eventsInHour: 360,
      bursts: [{ secondStartMs: BURST, events: 12_000 }],
      logGroupName: GROUP,
      seed: "dense",
    });
    dense = await startFakeCloudWatchLogs({ groups: [denseStream], runningPolls: 0 });
  });
  afterAll(async () => {
    await dense.close();
  });

  function denseExporter() {
    return awsExportOn(dense, s3, {
      LOGEXPORT_LOG_GROUPS: GROUP,
      LOGEXPORT_S3_BUCKET: "exports",
      LOGEXPORT_S3_PREFIX: "dense",
      LOGEXPORT_STATE_PREFIX: "_dense",
      LOGEXPORT_QUERY_CONCURRENCY: "8",
      LOGEXPORT_QUERY_ROW_LIMIT: String(ROW_LIMIT),
    });
  }

  it("reads the dense milliseconds exactly with FilterLogEvents and writes every row once", async () => {
    const summary = await createHandler(denseExporter, () => undefined)(scheduledEvent(HOUR + HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("req-1"));
    expect(summary.hours.map((h) => h.object)).toEqual([DENSE_KEY]);
    const expected = expectedAccessRows(denseStream.events(HOUR, HOUR + HOUR_MS));
    const manifest = await manifestOf("_dense");
    expect(manifest.exportedRows).toBe(expected.length);
    expect(manifest.readRows).toBe(manifest.expectedRows);
    // Minutes, then the burst minute by second, then the burst second by millisecond.
    expect(manifest.histogram.queries).toBe(3);

    const scans = manifest.parts.filter((p) => p.method === "scan");
    const queries = manifest.parts.filter((p) => p.method === "query");
    expect(scans.length).toBeGreaterThan(0);
    for (const part of scans) {
      expect(Date.parse(part.start)).toBeGreaterThanOrEqual(BURST);
      expect(Date.parse(part.end)).toBeLessThanOrEqual(BURST + 1_000);
      expect(part.expectedRows).toBeGreaterThan(Math.floor(ROW_LIMIT * 0.9));
      expect(part.readRows).toBe(part.expectedRows);
      expect(part.query).toMatch(/^FilterLogEvents /);
    }
    expect(queries.every((p) => p.readRows <= ROW_LIMIT)).toBe(true);
    expect(manifest.queryIds ?? []).toHaveLength(manifest.histogram.queries + queries.length);
    const filterCalls = dense.calls.filter((c) => c.op === "FilterLogEvents");
    expect(filterCalls.length).toBeGreaterThanOrEqual(scans.length);
    expect(filterCalls.every((c) => (c.startTime ?? 0) >= BURST && (c.endTime ?? Infinity) <= BURST + 1_000)).toBe(true);
    expect(dense.runningQueries()).toBe(0);

    const rows = await readAccessRows(duck, await download(DENSE_KEY, "dense.parquet"));
    expect(rows).toHaveLength(expected.length);
    expect(rowDifferences(rows, expected)).toEqual([]);
    const [burst] = await query(
      `SELECT count(*)::INTEGER AS n FROM '${join(dir, "dense.parquet")}' WHERE epoch_ms("timestamp") BETWEEN ${BURST} AND ${BURST + 999}`,
    );
    expect(burst?.n).toBe(expectedAccessRows(denseStream.events(BURST, BURST + 1_000)).length);
  });
});
