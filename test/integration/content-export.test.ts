import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportContentLogsCommand } from "../../cli/commands/export-content-logs.js";
import { uploadParquetCommand } from "../../cli/commands/upload-parquet.js";
import { CliError } from "../../cli/errors.js";
import { createHandler, IncompleteExportError } from "../../lambda/handler.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { hourManifest } from "../helpers/aws-manifests.js";
import { CONTENT_TYPES, contentSchema, type ContentType } from "../../shared/parsers/content/types.js";
import { capturedIO } from "../helpers/cli-io.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { pulpHourStream, type PulpLogStream } from "../helpers/pulp-log-stream.js";
import { scheduledEvent, lambdaContext } from "../helpers/lambda-events.js";
import { awsExportOn } from "../helpers/aws-stack.js";
import { startS3 } from "../helpers/s3.js";

const HOUR = Date.UTC(2026, 5, 9, 14);
const GROUP = "/aws/containerinsights/pulp-prod/application";
const DUCK_TYPES: Readonly<Record<string, string>> = {
  timestamp_ns: "TIMESTAMP_NS",
  string: "VARCHAR",
  int16: "SMALLINT",
  int32: "INTEGER",
  int64: "BIGINT",
  bool: "BOOLEAN",
};

let fake: FakeCloudWatchLogs;
let stream: PulpLogStream;
let s3: Awaited<ReturnType<typeof startS3>>;
let dir: string;
let duck: DuckDBConnection;

beforeAll(async () => {
  stream = pulpHourStream({
    hourStartMs: HOUR,
    eventsInHour: 40_000,
    contentShare: 500,
    bursts: [{ secondStartMs: HOUR + 600_000, events: 11_000 }],
    logGroupName: GROUP,
  });
  fake = await startFakeCloudWatchLogs({ groups: [stream] });
  s3 = await startS3({ buckets: ["exports", "uploads"] });
  dir = await mkdtemp(join(tmpdir(), "content-export-"));
  duck = await (await DuckDBInstance.create(":memory:")).connect();
}, 60_000);
afterAll(async () => {
  await fake.close();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

function exporter() {
  return awsExportOn(fake, s3, { LOGEXPORT_LOG_GROUPS: GROUP, LOGEXPORT_S3_BUCKET: "exports", LOGEXPORT_EXPORTS: "access,python,rpm,maven" });
}

function truth(type: ContentType, startMs = HOUR, endMs = HOUR + HOUR_MS) {
  const counts = { rows: 0, unmatched: 0, nullRequestTime: 0, nullCache: 0, artifactBytes: 0 };
  for (const e of stream.events(startMs, endMs)) {
    if (e.content?.type !== type) continue;
    if (e.content.coordinates === null) {
      counts.unmatched += 1;
      continue;
    }
    counts.rows += 1;
    if (e.content.requestTimeMs === null) counts.nullRequestTime += 1;
    if (e.content.cacheHit === null) counts.nullCache += 1;
    counts.artifactBytes += e.content.artifactSize ?? 0;
  }
  return counts;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

async function download(bucket: string, key: string, name: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, await (await s3.bucket(bucket)).getBytes(key));
  return file;
}

const key = (type: ContentType, hour = "14") =>
  `pulp-content-logs/${type}/year=2026/month=06/day=09/hour=${hour}/pulp_content_${type}_logs_20260609T${hour}0000Z.parquet`;

describe("content-download exports (Lambda → fake CloudWatch Logs → one Parquet file per content type on S3)", () => {
  it("exports every configured type of the hour to its own prefix, exact per type, DuckDB reading the types back", async () => {
    const lines: string[] = [];
    const summary = await createHandler(exporter, (_level, line) => void lines.push(line))(
      scheduledEvent(HOUR + HOUR_MS + 15 * 60_000 + 2_000),
      lambdaContext("req-content"),
    );
    expect(summary.hours.map((h) => h.export)).toEqual(["access", ...CONTENT_TYPES]);
    // One Embedded Metric Format line per export, dimension Export, the rows the summary reports.
    const metrics = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l._aws !== undefined);
    expect(metrics.map((m) => [m.Export, m.Rows])).toEqual(summary.hours.map((h) => [h.export, h.rows]));
    expect(metrics.every((m) => typeof m.ExportLagSeconds === "number" && (m.ExportLagSeconds as number) >= 0)).toBe(true);
    // Every other line names its export and never carries a row's content.
    const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l._aws === undefined);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((l) => typeof l.export === "string" && typeof l.runId === "string" && typeof l.window === "string")).toBe(true);
    expect(lines.some((l) => l.includes("pip/24.0") || l.includes("23.48.249.160"))).toBe(false);
    expect(summary.hours[0]?.object).toBe("pulp-access-logs/year=2026/month=06/day=09/hour=14/pulp_access_logs_20260609T140000Z.parquet");
    for (const type of CONTENT_TYPES) {
      const expected = truth(type);
      expect(expected.rows).toBeGreaterThan(1_000);
      const manifest = await hourManifest(await s3.bucket("exports"), `pulp_content_${type}_logs`, HOUR);
      expect(manifest.exportedRows, type).toBe(expected.rows);
      expect(manifest.excluded["unmatched-filename"] ?? 0, type).toBe(expected.unmatched);
      // The server-side filter keeps only the type's file endings: nothing of another type is read.
      expect(manifest.excluded["other-content-type"], type).toBeUndefined();
      expect(manifest.readRows, type).toBe(expected.rows + expected.unmatched);
      const file = await download("exports", key(type), `${type}.parquet`);
      const [stats] = await query(
        `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE request_time_ms IS NULL)::INTEGER AS no_time, count(*) FILTER (WHERE cache_hit IS NULL)::INTEGER AS no_cache, coalesce(sum(artifact_size), 0)::BIGINT AS bytes, min(epoch_ms("timestamp"))::BIGINT AS first, max(epoch_ms("timestamp"))::BIGINT AS last FROM '${file}'`,
      );
      expect(stats?.n, type).toBe(expected.rows);
      expect(stats?.no_time, type).toBe(expected.nullRequestTime);
      expect(stats?.no_cache, type).toBe(expected.nullCache);
      expect(Number(stats?.bytes), type).toBe(expected.artifactBytes);
      expect(Number(stats?.first)).toBeGreaterThanOrEqual(HOUR);
      expect(Number(stats?.last)).toBeLessThan(HOUR + HOUR_MS);
      const types = Object.fromEntries((await query(`DESCRIBE SELECT * FROM '${file}'`)).map((r) => [r.column_name, r.column_type]));
      expect(types, type).toEqual(Object.fromEntries(contentSchema(type).map((c) => [c.name, DUCK_TYPES[c.type]])));
    }
    const rpm = await download("exports", key("rpm"), "rpm.parquet");
    expect(await query(`SELECT package_name, epoch, release, architecture, distribution FROM '${rpm}' WHERE package_name = 'vim-enhanced' LIMIT 1`)).toEqual([
      { package_name: "vim-enhanced", epoch: 2, release: "20.el9", architecture: "x86_64", distribution: "epel9" },
    ]);
    const maven = await download("exports", key("maven"), "maven.parquet");
    expect(await query(`SELECT DISTINCT group_id, classifier, packaging FROM '${maven}' WHERE package_name = 'lwjgl'`)).toEqual([
      { group_id: "org.lwjgl", classifier: "natives-linux", packaging: "jar" },
    ]);
  });

  it("one failing export does not stop the others, and the invocation still fails", async () => {
    // Only rpm queries fail (their filter holds `\.rpm`); none follow in this file, so faults left over are harmless.
    fake.inject({ on: "StartQuery", kind: "fail", status: "Failed", times: 10, queryMatches: /\\\.rpm/ });
    // Hour 15 holds the first ten minutes after the generated hour (its margin).
    const run = createHandler(exporter, () => undefined)(scheduledEvent(HOUR + 2 * HOUR_MS + 20 * 60_000), lambdaContext("req-content"));
    await expect(run).rejects.toBeInstanceOf(IncompleteExportError);
    await expect(run).rejects.toThrow(/1 of 4 exports failed \(3 completed\):\n {2}rpm 2026-06-09T15:00:00/);
    const keys = await (await s3.bucket("exports")).keys("pulp-content-logs/");
    expect(keys.filter((k) => k.includes("hour=15/"))).toEqual([key("maven", "15"), key("python", "15")]);
  });
});

describe("export-content-logs and upload-parquet against an S3-compatible endpoint (--s3-endpoint-url)", () => {
  const io = () => capturedIO({ now: () => HOUR + 2 * HOUR_MS });
  let endpoint = "";

  beforeAll(() => {
    // Keys and checksum mode from the environment, as on a laptop; the endpoint only from the flag.
    const { AWS_ENDPOINT_URL_S3: url = "", ...env } = s3.env;
    endpoint = url;
    Object.assign(process.env, env, { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.url, AWS_MAX_ATTEMPTS: "3" });
  });

  it("exports one type straight to the store, and upload-parquet copies a local file there", async () => {
    const cli = io();
    const argv = [
      "--cloudwatch-group",
      GROUP,
      "--start-time",
      "2026-06-09T14:00:00Z",
      "--end-time",
      "2026-06-09T15:00:00Z",
      "--content-type",
      "maven",
      "--output-path",
      "s3://uploads/maven/hour.parquet",
      "--s3-endpoint-url",
      endpoint,
    ];
    expect(await exportContentLogsCommand(argv, cli)).toBe(0);
    expect(cli.out()).toMatch(new RegExp(`s3://uploads/maven/hour\\.parquet\\s+${truth("maven").rows}`));

    const local = join(dir, "local-maven.parquet");
    await writeFile(local, await (await s3.bucket("uploads")).getBytes("maven/hour.parquet"));
    const up = io();
    expect(
      await uploadParquetCommand(
        ["--source", local, "--destination", "s3://uploads/copy/maven.parquet", "--s3-endpoint-url", endpoint, "--s3-region", "us-east-1"],
        up,
      ),
    ).toBe(0);
    expect(up.out()).toMatch(new RegExp(`s3://uploads/copy/maven\\.parquet\\s+${truth("maven").rows}`));
    expect((await (await s3.bucket("uploads")).getBytes("copy/maven.parquet")).equals(await readFile(local))).toBe(true);
  });

  it.each([
    [["--destination", "s3://uploads/x.parquet"], /--source is required/],
    [["--source", "missing.parquet", "--destination", "s3://uploads/x.parquet"], /is not a file/],
    [["--source", "NOT_PARQUET", "--destination", "s3://uploads/x.parquet"], /not a readable Parquet file/],
    [["--source", "NOT_PARQUET", "--destination", "/tmp/x.parquet"], /--destination must be s3:\/\/bucket\/key/],
    [["--source", "NOT_PARQUET", "--destination", "s3://uploads"], /needs a bucket and a key/],
    [
      ["--source", "NOT_PARQUET", "--destination", "s3://uploads/x.parquet", "--s3-endpoint-url", "localhost:9000"],
      /--s3-endpoint-url must be an http\(s\) URL/,
    ],
  ])("upload-parquet refuses %j with one clear line and uploads nothing", async (argv, message) => {
    const notParquet = join(dir, "not.parquet");
    await writeFile(notParquet, "PAR1 but not really");
    const args = argv.map((a) => (a === "NOT_PARQUET" ? notParquet : a));
    await expect(uploadParquetCommand(args, io())).rejects.toBeInstanceOf(CliError);
    await expect(uploadParquetCommand(args, io())).rejects.toThrow(message);
    expect(await (await s3.bucket("uploads")).keys("x.parquet")).toEqual([]);
  });

  it("export-content-logs refuses an unknown content type", async () => {
    const argv = ["--cloudwatch-group", GROUP, "--start-time", "1 hour ago", "--content-type", "npm", "--output-path", "x.parquet"];
    await expect(exportContentLogsCommand(argv, io())).rejects.toThrow(/--content-type must be one of python, rpm, maven, got "npm"/);
  });
});
