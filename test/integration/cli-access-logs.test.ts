import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { capturedIO, type CapturedIO } from "../helpers/cli-io.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportAccessLogsCommand } from "../../cli/commands/export-access-logs.js";
import { CliError } from "../../cli/errors.js";
import { ConfigurationError } from "../../shared/core/errors.js";
import type { ObjectManifest } from "../../shared/engine/export-object.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { pulpHourStream, type PulpLogStream } from "../helpers/pulp-log-stream.js";
import { startS3 } from "../helpers/s3.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const GROUP = "/aws/containerinsights/pulp-prod/application";
let fake: FakeCloudWatchLogs;
let stream: PulpLogStream;
let s3: Awaited<ReturnType<typeof startS3>>;
let dir: string;

beforeAll(async () => {
  stream = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 8_000, logGroupName: GROUP });
  fake = await startFakeCloudWatchLogs({ groups: [stream] });
  s3 = await startS3({ buckets: ["logs"] });
  dir = await mkdtemp(join(tmpdir(), "access-logs-"));
  // The AWS SDK reads endpoints and credentials from the environment, as it would from a laptop's.
  Object.assign(process.env, { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.url, AWS_MAX_ATTEMPTS: "3" }, s3.env);
}, 60_000);
afterAll(async () => {
  await fake.close();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

function io(): CapturedIO {
  return capturedIO({ now: () => HOUR + 2 * 3_600_000 });
}

const base = ["--cloudwatch-group", GROUP, "--start-time", "2026-02-04T14:00:00Z", "--end-time", "2026-02-04T15:00:00Z"];

function rowsExpected(): number {
  let n = 0;
  for (const e of stream.events(HOUR, HOUR + 3_600_000)) if (["access", "anonymous", "pypiNonPackage", "threat"].includes(e.kind)) n += 1;
  return n;
}

describe("export-access-logs", () => {
  it("writes one Parquet file with a manifest beside it, and DuckDB reads every row", async () => {
    const file = join(dir, "hour.parquet");
    const cli = io();
    expect(await exportAccessLogsCommand([...base, "--output-path", file], cli)).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(["hour.parquet", "hour.parquet.manifest.json"]);
    const manifest = JSON.parse(await readFile(`${file}.manifest.json`, "utf8")) as ObjectManifest;
    expect(manifest.rows).toBe(rowsExpected());
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const [row] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM '${file}'`)).getRowObjectsJS() as { n: number }[];
    expect(row?.n).toBe(rowsExpected());
    expect(cli.out()).toMatch(new RegExp(`hour\\.parquet\\s+${rowsExpected()}`));
  });

  it("--sanitize scrubs the string columns and counts matches in the manifest", async () => {
    const file = join(dir, "sanitized.parquet");
    expect(await exportAccessLogsCommand([...base, "--output-path", file, "--sanitize"], io())).toBe(0);
    const manifest = JSON.parse(await readFile(`${file}.manifest.json`, "utf8")) as ObjectManifest;
    expect(manifest.sanitizer.name).toBe("logexport-sanitizer/v1");
    expect(manifest.sanitizer.counts.ipv4).toBeGreaterThan(0);
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const [row] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM '${file}' WHERE regexp_matches(x_forwarded_for, '^\\d+\\.\\d+\\.\\d+\\.\\d+$') AND NOT x_forwarded_for LIKE '%.0.0'`)).getRowObjectsJS() as { n: number }[];
    expect(row?.n).toBe(0);
  });

  it("writes to s3://bucket/key", async () => {
    expect(await exportAccessLogsCommand([...base, "--output-path", "s3://logs/pulp/2026-02-04-14.parquet"], io())).toBe(0);
    expect(await (await s3.bucket("logs")).keys("pulp/")).toEqual(["pulp/2026-02-04-14.parquet", "pulp/2026-02-04-14.parquet.manifest.json"]);
  });

  it("--dry-run prints the plan and cost and writes nothing", async () => {
    const cli = io();
    const file = join(dir, "dry.parquet");
    expect(await exportAccessLogsCommand([...base, "--output-path", file, "--dry-run"], cli)).toBe(0);
    expect(cli.out()).toMatch(/expected lines[\s\S]*\$0\.\d{4}/);
    expect(cli.out()).toMatch(/nothing was written/);
    await expect(readFile(file)).rejects.toThrow();
  });

  it.each([
    [["--start-time", "1 hour ago", "--output-path", "x.parquet"], CliError, /--cloudwatch-group is required/],
    [[...base.slice(0, 2), "--start-time", "2026-02-04T15:00:00Z", "--end-time", "2026-02-04T14:00:00Z", "--output-path", "x.parquet"], CliError, /--start-time must be before --end-time/],
    [[...base, "--output-path", "s3://only-bucket"], CliError, /needs a bucket and a key/],
    [[...base, "--output-path", "x.parquet", "--filter-paths", "/api/pypi/ | stats"], ConfigurationError, /not allowed/],
    [[...base, "--output-path", "x.parquet", "--start-time", "sometime"], CliError, /--start-time/],
  ])("rejects %j with one clear error", async (argv, type, message) => {
    await expect(exportAccessLogsCommand(argv, io())).rejects.toBeInstanceOf(type);
    await expect(exportAccessLogsCommand(argv, io())).rejects.toThrow(message);
  });

  it("keeps an unwritten file away: a failed export leaves no file and no temporary", async () => {
    fake.inject({ on: "StartQuery", kind: "fail", status: "Failed", times: 10, queryMatches: /fields/ });
    const file = join(dir, "failed.parquet");
    await expect(exportAccessLogsCommand([...base, "--output-path", file], io())).rejects.toThrow(/Failed/);
    expect((await readdir(dir)).filter((n) => n.startsWith("failed"))).toEqual([]);
    await writeFile(join(dir, ".keep"), "");
  });
});
