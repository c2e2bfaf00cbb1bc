import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler } from "../../lambda/handler.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { hourManifest } from "../helpers/aws-manifests.js";
import { awsExportOn } from "../helpers/aws-stack.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { lambdaContext, scheduledEvent } from "../helpers/lambda-events.js";
import { pulpHourStream, type PulpLogStream } from "../helpers/pulp-log-stream.js";
import { startS3 } from "../helpers/s3.js";
import { expectedAccessRows, readAccessRows, rowDifferences } from "./cloudwatch-expected-rows.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const GROUP = "/aws/containerinsights/pulp-prod/application";
const KEY = "pulp/year=2026/month=02/day=04/hour=14/pulp_access_logs_20260204T140000Z.parquet";

let fake: FakeCloudWatchLogs;
let stream: PulpLogStream;
let s3: Awaited<ReturnType<typeof startS3>>;
let dir: string;

beforeAll(async () => {
  stream = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 40_000, logGroupName: GROUP });
  // The account allows 2 queries at once and 5 StartQuery and 5 GetQueryResults a second (real timers).
  fake = await startFakeCloudWatchLogs({ groups: [stream], limits: { queries: { concurrentQueries: 2 } } });
  s3 = await startS3({ buckets: ["exports"] });
  dir = await mkdtemp(join(tmpdir(), "aws-export-limits-"));
}, 60_000);
afterAll(async () => {
  await fake.close();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the AWS export under CloudWatch Logs' limits (Lambda handler → limited fake → Parquet on S3)", () => {
  it("exports the scheduled hour with 6 queries wanted against 2 allowed: every row once, the refusals retried", async () => {
    const exporter = () =>
      awsExportOn(fake, s3, {
        LOGEXPORT_LOG_GROUPS: GROUP,
        LOGEXPORT_S3_BUCKET: "exports",
        LOGEXPORT_S3_PREFIX: "pulp",
        LOGEXPORT_QUERY_CONCURRENCY: "6",
        LOGEXPORT_RETRY_BASE_MS: "200",
      });
    const summary = await createHandler(exporter, () => undefined)(scheduledEvent(HOUR + HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("limits-1"));
    expect(summary.hours.map((h) => h.object)).toEqual([KEY]);

    const refused = fake.calls.filter((c) => c.error === "LimitExceededException" || c.error === "ThrottlingException");
    expect(refused.length).toBeGreaterThan(0);
    const manifest = await hourManifest(await s3.bucket("exports"), "pulp_access_logs", HOUR);
    expect(manifest.readRows).toBe(manifest.expectedRows);
    // The refusals were waited out inside each query (counted in the manifest), not spent as the part's retries.
    expect(manifest.throttled).toBeGreaterThan(0);
    expect(manifest.throttled).toBeLessThanOrEqual(refused.length);
    expect(manifest.parts.map((p) => p.attempts)).toEqual(manifest.parts.map(() => 1));
    expect(refused.filter((c) => c.error === "LimitExceededException").length).toBeGreaterThan(0);
    expect(fake.insightsIdentity("test")?.runningQueries).toBe(0);

    const file = join(dir, "hour.parquet");
    await writeFile(file, await (await s3.bucket("exports")).getBytes(KEY));
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const rows = await readAccessRows(duck, file);
    expect(rowDifferences(rows, expectedAccessRows(stream.events(HOUR, HOUR + HOUR_MS)))).toEqual([]);
  }, 120_000);
});
