import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { capturedIO, type CapturedIO } from "../helpers/cli-io.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportAccessLogsCommand } from "../../cli/commands/export-access-logs.js";
import { exportContentLogsCommand } from "../../cli/commands/export-content-logs.js";
import { CliError } from "../../cli/errors.js";
import type { ExportManifest } from "../../shared/engine/manifest.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { pulpHourStream, type PulpLogStream } from "../helpers/pulp-log-stream.js";
import { startS3 } from "../helpers/s3.js";
import { ACCESS_ROW_KINDS, expectedAccessRows, readAccessRows, rowDifferences } from "./cloudwatch-expected-rows.js";

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
  for (const e of stream.events(HOUR, HOUR + 3_600_000)) if (ACCESS_ROW_KINDS.has(e.kind)) n += 1;
  return n;
}

describe("export-access-logs", () => {
  it("writes one Parquet file with a manifest beside it, and DuckDB reads every row", async () => {
    const file = join(dir, "hour.parquet");
    const cli = io();
    expect(await exportAccessLogsCommand([...base, "--output-path", file], cli)).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(["_hour.parquet.manifest.json", "hour.parquet"]);
    const manifest = JSON.parse(await readFile(join(dirname(file), `_${basename(file)}.manifest.json`), "utf8")) as ExportManifest;
    expect(manifest.exportedRows).toBe(rowsExpected());
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const [row] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM '${file}'`)).getRowObjectsJS() as { n: number }[];
    expect(row?.n).toBe(rowsExpected());
    expect(cli.out()).toMatch(new RegExp(`hour\\.parquet\\s+${rowsExpected()}`));
  });

  it("--sanitize scrubs the string columns and counts matches in the manifest", async () => {
    const file = join(dir, "sanitized.parquet");
    expect(await exportAccessLogsCommand([...base, "--output-path", file, "--sanitize"], io())).toBe(0);
    const manifest = JSON.parse(await readFile(join(dirname(file), `_${basename(file)}.manifest.json`), "utf8")) as ExportManifest;
    expect(manifest.sanitizer.name).toMatch(/^logexport-sanitizer\/v2\+gitleaks-\d+\.\d+\.\d+; /);
    expect(manifest.sanitizer.counts.ipv4).toBeGreaterThan(0);
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const [row] = (
      await duck.runAndReadAll(
        `SELECT count(*)::INTEGER AS n FROM '${file}' WHERE regexp_matches(x_forwarded_for, '^\\d+\\.\\d+\\.\\d+\\.\\d+$') AND NOT x_forwarded_for LIKE '%.0.0'`,
      )
    ).getRowObjectsJS() as { n: number }[];
    expect(row?.n).toBe(0);
  });

  it("writes to s3://bucket/key a file whose every row DuckDB reads back as the stream's truth", async () => {
    expect(await exportAccessLogsCommand([...base, "--output-path", "s3://logs/pulp/2026-02-04-14.parquet"], io())).toBe(0);
    expect(await (await s3.bucket("logs")).keys("pulp/")).toEqual(["pulp/2026-02-04-14.parquet", "pulp/_2026-02-04-14.parquet.manifest.json"]);
    const file = join(dir, "from-s3.parquet");
    await writeFile(file, await (await s3.bucket("logs")).getBytes("pulp/2026-02-04-14.parquet"));
    const rows = await readAccessRows(await (await DuckDBInstance.create(":memory:")).connect(), file);
    expect(rows).toHaveLength(rowsExpected());
    expect(rowDifferences(rows, expectedAccessRows(stream.events(HOUR, HOUR + 3_600_000)))).toEqual([]);
  });

  it("--dry-run prints the plan and cost and writes nothing", async () => {
    const cli = io();
    const file = join(dir, "dry.parquet");
    expect(await exportAccessLogsCommand([...base, "--output-path", file, "--dry-run"], cli)).toBe(0);
    expect(cli.out()).toMatch(/expected lines[\s\S]*\$0\.\d{4}/);
    expect(cli.out()).toMatch(/nothing was written/);
    await expect(readFile(file)).rejects.toThrow();
  });

  it("--dry-run needs no --output-path; without --dry-run it is required", async () => {
    const cli = io();
    const before = await readdir(dir);
    expect(await exportAccessLogsCommand([...base, "--dry-run"], cli)).toBe(0);
    expect(cli.out()).toMatch(/expected lines[\s\S]*nothing was written/);
    expect(await readdir(dir)).toEqual(before);
    await expect(exportAccessLogsCommand(base, io())).rejects.toThrow(/^--output-path is required \(unless --dry-run\)/);
  });

  it.each([
    [["--start-time", "1 hour ago", "--output-path", "x.parquet"], CliError, /--cloudwatch-group is required/],
    [
      [...base.slice(0, 2), "--start-time", "2026-02-04T15:00:00Z", "--end-time", "2026-02-04T14:00:00Z", "--output-path", "x.parquet"],
      CliError,
      /--start-time must be before --end-time/,
    ],
    [[...base, "--output-path", "s3://only-bucket"], CliError, /needs a bucket and a key/],
    [[...base, "--output-path", "x.parquet", "--filter-paths", "/api/pypi/ | stats"], CliError, /^--filter-paths: "\/api\/pypi\/ \| stats" is not allowed/],
    [[...base, "--output-path", "x.parquet", "--start-time", "sometime"], CliError, /--start-time/],
  ])("rejects %j with one clear error", async (argv, type, message) => {
    await expect(exportAccessLogsCommand(argv, io())).rejects.toBeInstanceOf(type);
    await expect(exportAccessLogsCommand(argv, io())).rejects.toThrow(message);
  });

  async function cliError(argv: readonly string[]): Promise<CliError> {
    const error: unknown = await exportAccessLogsCommand(argv, io()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return error as CliError;
  }

  it.each([
    [["--concurrency", "0"], /^--concurrency must be a whole number from 1 to 30, got "0"$/],
    [["--concurrency", "many"], /^--concurrency must be a whole number from 1 to 30, got "many"$/],
    [["--cloudwatch-group", "pulp logs"], /^--cloudwatch-group: "pulp logs" is not a log group name$/],
    [["--cloudwatch-group", ""], /^--cloudwatch-group is required: /],
    [["--cloudwatch-stream", 'pod"1'], /^--cloudwatch-stream must be a log stream name without/],
    [
      ["--concurrency", "31", "--cloudwatch-group", "a b"],
      /^--cloudwatch-group: "a b" is not a log group name; --concurrency must be a whole number from 1 to 30, got "31"$/,
    ],
  ])("names the flag, not the setting behind it, for %j, on one line, with or without --dry-run", async (flags, message) => {
    expect((await cliError([...base, "--output-path", join(dir, "never.parquet"), ...flags])).message).toMatch(message);
    expect((await cliError([...base, "--dry-run", ...flags])).message).toMatch(message);
    expect((await readdir(dir)).filter((n) => n.startsWith("never"))).toEqual([]);
  });

  it("names --sanitizer-config when its file cannot be read", async () => {
    const error = await cliError([...base, "--output-path", join(dir, "never.parquet"), "--sanitize", "--sanitizer-config", "/nonexistent/rules.yaml"]);
    expect(error.message).toMatch(/^--sanitizer-config: cannot read "\/nonexistent\/rules\.yaml"/);
  });

  it("names the content command's own flags too", async () => {
    const argv = [...base, "--content-type", "python", "--content-path-prefix", "content/", "--dry-run"];
    await expect(exportContentLogsCommand(argv, io())).rejects.toThrow(/^--content-path-prefix must be a path starting and ending with \/, got "content\/"$/);
  });

  it("writes no file and no manifest for a range without rows, as upstream (its CronJob skips the upload on that)", async () => {
    const cli = io();
    const file = join(dir, "empty-hour.parquet");
    const quiet = ["--cloudwatch-group", GROUP, "--start-time", "2026-02-04T18:00:00", "--end-time", "2026-02-04T18:59:59", "--output-path", file];
    expect(await exportAccessLogsCommand(quiet, cli)).toBe(0);
    expect(cli.out()).toMatch(/empty-hour\.parquet \(no rows: not written\)\s+0\s/);
    expect((await readdir(dir)).filter((n) => n.includes("empty-hour"))).toEqual([]);
  });

  it("refuses a log format it does not know, naming the ones it does", async () => {
    await expect(exportAccessLogsCommand([...base, "--output-path", "x.parquet", "--log-format", "apache"], io())).rejects.toThrow(
      /^--log-format must be one of pulp, combined, nginx-json, got "apache"$/,
    );
  });

  it("keeps an unwritten file away: a failed export leaves no file and no temporary", async () => {
    fake.inject({ on: "StartQuery", kind: "fail", status: "Failed", times: 10, queryMatches: /fields/ });
    const file = join(dir, "failed.parquet");
    await expect(exportAccessLogsCommand([...base, "--output-path", file], io())).rejects.toThrow(/Failed/);
    expect((await readdir(dir)).filter((n) => n.startsWith("failed"))).toEqual([]);
    await writeFile(join(dir, ".keep"), "");
  });
});
