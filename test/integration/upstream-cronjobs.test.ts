/**
 * The upstream exporter's CronJobs, their scripts copied verbatim from its deploy file
 * (test/fixtures/upstream-pulp/cronjobs/), run with our CLIs (compiled, as installed) on PATH against the fake CloudWatch Logs and
 * s3rver over three consecutive hours, each at its schedule's minute: every event is in exactly one hour's
 * file, both uploads (the S3 keys given as flags, as the CronJob passes them) hold it, and an hour without
 * a row writes no file, so the script's own check skips the uploads.
 */
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUR_MS, SECOND_MS } from "../../shared/core/time.js";
import { installCompiledCli } from "../helpers/compiled-cli.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { PulpLogStream } from "../helpers/pulp-log-stream.js";
import { startS3 } from "../helpers/s3.js";
import { expectedAccessRows, readAccessRows, rowDifferences } from "./cloudwatch-expected-rows.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CRONJOBS = join(ROOT, "test/fixtures/upstream-pulp/cronjobs");
const GROUP = "/aws/containerinsights/pulp-stage/application";
// The scripts write to /tmp/<name>_<hour>.parquet: hours far from any other run's, so concurrent runs never share a file.
const FIRST = Date.UTC(2031, 0, 1) + (Math.floor(Date.now() / 1_000) % 50_000) * HOUR_MS;
const HOURS = [FIRST, FIRST + HOUR_MS, FIRST + 2 * HOUR_MS];
const EMPTY_HOUR = FIRST + 3 * HOUR_MS;
/** Two events a second, at .000 and .999: the edges of every hour carry events. */
const stream = new PulpLogStream({
  logGroupName: GROUP,
  envelope: "message",
  contentShare: 400,
  eventsInSecond: (s) => (s >= FIRST && s < EMPTY_HOUR ? 2 : 0),
});
const JOBS = [
  { script: "export-access-logs-v3", minute: 15, stem: "pulp_access_logs", folder: "data/" },
  { script: "export-content-python-v1", minute: 25, stem: "pulp_content_python", folder: "data/" },
  { script: "export-content-rpm-v1", minute: 35, stem: "pulp_content_rpm", folder: "data/" },
  { script: "export-content-maven-v1", minute: 45, stem: "pulp_content_maven", folder: "data/maven/" },
] as const;

let fake: FakeCloudWatchLogs;
let s3: Awaited<ReturnType<typeof startS3>>;
let bin: string;
let cli: string;
let duck: DuckDBConnection;

/** The CronJob's TIMESTAMP for an hour: `date -u -d '1 hour ago' '+%Y%m%dT%H0000Z'` at the next hour's schedule. */
function stamp(hourMs: number): string {
  return `${new Date(hourMs).toISOString().slice(0, 13).replaceAll("-", "")}0000Z`;
}

beforeAll(async () => {
  fake = await startFakeCloudWatchLogs({ groups: [stream] });
  s3 = await startS3({ buckets: ["dataverse", "dataverse-backup"] });
  duck = await (await DuckDBInstance.create(":memory:")).connect();
  bin = await mkdtemp(join(tmpdir(), "cronjob-bin-"));
  cli = await mkdtemp(join(tmpdir(), "cronjob-cli-"));
  await installCompiledCli(cli);
  for (const command of ["export-access-logs", "export-content-logs", "upload-parquet"]) {
    await writeFile(join(bin, command), `#!/bin/sh\nexec node ${JSON.stringify(join(cli, "bin", `${command}.mjs`))} "$@"\n`);
  }
  // `date -d X` read at the CronJob's time instead of the wall clock's.
  const { stdout: realDate } = await run("sh", ["-c", "command -v date"]);
  await writeFile(
    join(bin, "date"),
    `#!/bin/bash\nargs=()\nwhile [ $# -gt 0 ]; do\n  if [ "$1" = "-d" ]; then args+=("-d" "$FAKE_NOW $2"); shift 2; else args+=("$1"); shift; fi\ndone\nexec ${realDate.trim()} "\${args[@]}"\n`,
  );
  for (const command of ["export-access-logs", "export-content-logs", "upload-parquet", "date"]) await chmod(join(bin, command), 0o755);
}, 60_000);
afterAll(async () => {
  await fake.close();
  await s3.stop();
  await rm(bin, { recursive: true, force: true });
  await rm(cli, { recursive: true, force: true });
  for (const hour of [...HOURS, EMPTY_HOUR]) {
    for (const job of JOBS)
      for (const name of [`${job.stem}_${stamp(hour)}.parquet`, `_${job.stem}_${stamp(hour)}.parquet.manifest.json`])
        await rm(join("/tmp", name), { force: true });
  }
});

/** Runs one CronJob's script as the CronJob would at `hourMs + 1 h + minute`. */
async function cronJob(script: string, hourMs: number, minute: number): Promise<{ stdout: string; stderr: string }> {
  const now = new Date(hourMs + HOUR_MS + minute * 60_000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
  const env = {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    HOME: process.env.HOME ?? "/tmp",
    FAKE_NOW: now,
    CLUSTER_NAME: "pulp-stage",
    CLOUDWATCH_LOG_GROUP: GROUP,
    PULP_PYPI_HOST: "https://pypi.example.test/api/pypi/internal/simple/",
    S3_BUCKET_NAME: "dataverse/",
    S3_BUCKET_PREFIX: "/data",
    BACKUP_S3_BUCKET_NAME: "dataverse-backup",
    ...s3.env,
    // The CronJob's own keys read CloudWatch; S3 takes the keys its flags give (s3rver accepts only those).
    AWS_ACCESS_KEY_ID: "cloudwatch-reader",
    AWS_SECRET_ACCESS_KEY: "cloudwatch-reader-secret",
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    BACKUP_S3_ACCESS_KEY_ID: "S3RVER",
    BACKUP_S3_SECRET_ACCESS_KEY: "S3RVER",
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.url,
  };
  return run("bash", [join(CRONJOBS, `${script}.sh`)], { env, maxBuffer: 16 << 20 });
}

async function parquetFrom(bucket: string, key: string): Promise<string> {
  const file = join(bin, key.replaceAll("/", "_"));
  await writeFile(file, await (await s3.bucket(bucket)).getBytes(key));
  return file;
}

describe("upstream's CronJobs, unchanged, over three consecutive hours", () => {
  it("export-access-logs-v3: every event of the three hours once, in both buckets; the empty hour uploads nothing", async () => {
    for (const hour of HOURS) await cronJob("export-access-logs-v3", hour, 15);
    const empty = await cronJob("export-access-logs-v3", EMPTY_HOUR, 15);
    expect(empty.stdout).toContain("No data exported — skipping uploads.");
    const keys = HOURS.map((h) => `pulp_access_logs_${stamp(h)}.parquet`);
    expect(await (await s3.bucket("dataverse")).keys("data/")).toEqual(keys.map((k) => `data/${k}`));
    expect(await (await s3.bucket("dataverse-backup")).keys()).toEqual(keys);
    const rows = [];
    for (const key of keys) rows.push(...(await readAccessRows(duck, await parquetFrom("dataverse", `data/${key}`))));
    const expected = expectedAccessRows(stream.events(FIRST, EMPTY_HOUR));
    expect(rows).toHaveLength(expected.length);
    expect(rowDifferences(rows, expected)).toEqual([]);
    const backup = await readAccessRows(duck, await parquetFrom("dataverse-backup", keys[2] ?? ""));
    expect(backup.length).toBeGreaterThan(0);
  }, 180_000);

  it.each(JOBS.slice(1))(
    "$script: every download of its type once, across the hours' edges",
    async ({ script, minute, stem, folder }) => {
      const type = stem.replace("pulp_content_", "");
      for (const hour of HOURS) await cronJob(script, hour, minute);
      const keys = HOURS.map((h) => `${folder}${stem}_${stamp(h)}.parquet`);
      expect(await (await s3.bucket("dataverse")).keys(`${folder}${stem}_`)).toEqual(keys);
      const got: string[] = [];
      for (const key of keys) {
        const file = await parquetFrom("dataverse", key);
        const rows = (await duck.runAndReadAll(`SELECT epoch_ms("timestamp")::BIGINT AS t, artifact_path FROM '${file}'`)).getRowObjectsJS() as {
          t: bigint;
          artifact_path: string;
        }[];
        got.push(...rows.map((r) => `${r.t} ${r.artifact_path}`));
      }
      const want: string[] = [];
      for (const e of stream.events(FIRST, EMPTY_HOUR))
        if (e.content?.type === type && e.content.coordinates !== null) want.push(`${e.timestamp} ${e.content.path.split("?")[0]}`);
      expect(want.length).toBeGreaterThan(100);
      expect(got.sort()).toEqual(want.sort());
      // The edges: the last millisecond of an hour and the first of the next each went to their own hour.
      expect(stream.count(FIRST + HOUR_MS - SECOND_MS, FIRST + HOUR_MS + SECOND_MS)).toBe(4);
    },
    180_000,
  );
});

describe("S3 keys given as flags", () => {
  const KEYS = [
    "--s3-access-key-id",
    "example-key-id-leak-check",
    "--s3-secret-access-key",
    "example-secret-leak-check",
    "--s3-session-token",
    "example-token-leak-check",
  ];
  const SECRETS = /example-(?:key-id|secret|token)-leak-check/;

  async function command(name: string, args: readonly string[]): Promise<{ code: number; output: string }> {
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...s3.env, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.url };
    const done = await run("node", [join(cli, "bin", `${name}.mjs`), ...args], { env }).then(
      (r) => ({ code: 0, output: r.stdout + r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, output: (e.stdout ?? "") + (e.stderr ?? "") }),
    );
    return done;
  }

  it("are used for S3 alone, and their values appear in no output, log or error", async () => {
    const range = ["--cloudwatch-group", GROUP, "--start-time", new Date(FIRST).toISOString(), "--end-time", new Date(FIRST + 60_000).toISOString()];
    const refused = await command("export-access-logs", [...range, "--output-path", "s3://dataverse/leak/x.parquet", "--verbose", ...KEYS]);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied/);
    const local = join(bin, "leak.parquet");
    expect((await command("export-access-logs", [...range, "--output-path", local])).code).toBe(0);
    const upload = await command("upload-parquet", ["--source", local, "--destination", "s3://dataverse/leak/x.parquet", ...KEYS]);
    expect(upload.code).toBe(1);
    const oneSided = await command("upload-parquet", [
      "--source",
      local,
      "--destination",
      "s3://dataverse/leak/x.parquet",
      "--s3-secret-access-key",
      "example-secret-leak-check",
    ]);
    expect(oneSided).toEqual({
      code: 2,
      output: "upload-parquet: --s3-access-key-id and --s3-secret-access-key go together: give both, or neither to use the standard AWS chain\n",
    });
    for (const { output } of [refused, upload, oneSided]) expect(output).not.toMatch(SECRETS);
    expect(await (await s3.bucket("dataverse")).keys("leak/")).toEqual([]);
  }, 60_000);
});
