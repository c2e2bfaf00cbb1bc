/**
 * AWS parity with the Azure planner: an hour exported, lines that reach CloudWatch after it, and the
 * next scheduled run re-exports exactly that hour (one histogram query per export), with the ledger
 * and `logexport status --aws` telling the story from the bucket alone.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { backfillCommand } from "../../cli/commands/backfill.js";
import { statusCommand } from "../../cli/commands/status.js";
import { createHandler } from "../../lambda/handler.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { parseLedger } from "../../shared/engine/ledger.js";
import type { TableCoverage } from "../../shared/engine/status.js";
import { hourManifest } from "../helpers/aws-manifests.js";
import { capturedIO } from "../helpers/cli-io.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { lambdaContext, scheduledEvent } from "../helpers/lambda-events.js";
import { PulpLogStream } from "../helpers/pulp-log-stream.js";
import { awsExportOn } from "../helpers/aws-stack.js";
import { startFakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { startS3 } from "../helpers/s3.js";
import { uniqueName } from "../helpers/storage.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";
import { ACCESS_ROW_KINDS } from "./cloudwatch-expected-rows.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const GROUP = "/aws/containerinsights/pulp-late/application";
const LATE_SECOND = HOUR + 600_000;
const PARTITION_14 = "pulp/year=2026/month=02/day=04/hour=14/";
let late = 0;
let fake: FakeCloudWatchLogs;
let stream: PulpLogStream;
let s3: Awaited<ReturnType<typeof startS3>>;
let dir: string;

beforeAll(async () => {
  // One event every two seconds over three hours; `late` more in one second of the first hour once they "arrive".
  stream = new PulpLogStream({
    logGroupName: GROUP,
    seed: "late",
    eventsInSecond: (s) => (s >= HOUR && s < HOUR + 3 * HOUR_MS ? ((s - HOUR) / 1000) % 2 : 0) + (s === LATE_SECOND ? late : 0),
  });
  fake = await startFakeCloudWatchLogs({ groups: [stream] });
  s3 = await startS3({ buckets: ["exports"] });
  dir = await mkdtemp(join(tmpdir(), "aws-late-"));
}, 60_000);
afterAll(async () => {
  await fake.close();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

function exporter() {
  return awsExportOn(fake, s3, { LOGEXPORT_LOG_GROUPS: GROUP, LOGEXPORT_S3_BUCKET: "exports", LOGEXPORT_S3_PREFIX: "pulp", LOGEXPORT_FILTER_PATHS: "" });
}

function rowsIn(startMs: number, endMs: number): number {
  let rows = 0;
  for (const e of stream.events(startMs, endMs)) if (ACCESS_ROW_KINDS.has(e.kind)) rows += 1;
  return rows;
}

describe("late lines on AWS", () => {
  it("the next scheduled run re-exports exactly the hour that grew; the ledger and status --aws show it", async () => {
    const handler = createHandler(exporter, () => undefined);
    const first = await handler(scheduledEvent(HOUR + HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("run-1"));
    expect(first.hours.map((h) => [h.hour, h.status, h.reason])).toEqual([["2026-02-04T14:00:00.000Z", "exported", "scheduled"]]);
    const bucket = await s3.bucket("exports");
    const before = await hourManifest(bucket, "pulp_access_logs", HOUR);
    expect(before.exportedRows).toBe(rowsIn(HOUR, HOUR + HOUR_MS));

    // A retried delivery of the same event exports nothing again (the manifest is there).
    const retried = await handler(scheduledEvent(HOUR + HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("run-1b"));
    expect(retried.hours.map((h) => h.status)).toEqual(["skipped"]);

    late = 7;
    const startsBefore = fake.calls.filter((c) => c.op === "StartQuery").length;
    const second = await handler(scheduledEvent(HOUR + 2 * HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("run-2"));
    expect(second.hours.map((h) => [h.hour, h.status, h.reason])).toEqual([
      ["2026-02-04T15:00:00.000Z", "exported", "scheduled"],
      ["2026-02-04T14:00:00.000Z", "exported", "late"],
    ]);
    const after = await hourManifest(bucket, "pulp_access_logs", HOUR);
    expect(after).toMatchObject({ version: 2, reason: "late", exportedRows: rowsIn(HOUR, HOUR + HOUR_MS) });
    expect(after.exportedRows).toBeGreaterThan(before.exportedRows);
    const hour15 = await hourManifest(bucket, "pulp_access_logs", HOUR + HOUR_MS);
    // Queries of the run: each hour's own (histograms + parts) and one late-data histogram for the export.
    const starts = fake.calls.filter((c) => c.op === "StartQuery").length - startsBefore;
    expect(starts).toBe(hour15.histogram.queries + hour15.parts.length + 1 + after.histogram.queries + after.parts.length);

    // The partition as Athena lists a table location: every object under hour=14/, whatever its name,
    // read as Parquet. Only the re-export's generation is there (manifests live under _logexport/).
    const partition = join(dir, "hour=14");
    await mkdir(partition);
    const keys = await bucket.keys(PARTITION_14);
    expect(keys).toEqual([after.objects[0]?.name]);
    for (const key of keys) await writeFile(join(partition, key.slice(PARTITION_14.length)), await bucket.getBytes(key));
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const [count] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${partition}/*')`)).getRowObjectsJS();
    expect(count?.n).toBe(rowsIn(HOUR, HOUR + HOUR_MS));

    const ledger = parseLedger((await bucket.getBytes("_logexport/ledger/2026-02-04/pulp_access_logs.csv")).toString());
    expect(ledger.map((e) => [e.windowStart, e.status, e.reason, e.manifestVersion])).toEqual([
      ["2026-02-04T14:00:00.000Z", "complete", "scheduled", 1],
      ["2026-02-04T15:00:00.000Z", "complete", "scheduled", 1],
      ["2026-02-04T14:00:00.000Z", "complete", "late", 2],
    ]);

    const { AWS_ENDPOINT_URL_S3: endpoint = "", ...env } = s3.env;
    Object.assign(process.env, env);
    const cli = capturedIO({ now: () => HOUR + 3 * HOUR_MS });
    expect(
      await statusCommand(
        ["--aws", "--bucket", "exports", "--start", "2026-02-04T13:00:00Z", "--end", "2026-02-04T17:00:00Z", "--s3-endpoint-url", endpoint, "--json"],
        cli,
      ),
    ).toBe(0);
    const status = JSON.parse(cli.out()) as { tables: TableCoverage[] };
    expect(status.tables.map((t) => [t.table, t.counts])).toEqual([["pulp_access_logs", { exported: 2, "in-progress": 0, failed: 0, missing: 2 }]]);
    expect(status.tables[0]?.windows.map((w) => [w.start, w.state, w.rows ?? null])).toEqual([
      ["2026-02-04T13:00:00.000Z", "missing", null],
      ["2026-02-04T14:00:00.000Z", "exported", rowsIn(HOUR, HOUR + HOUR_MS)],
      ["2026-02-04T15:00:00.000Z", "exported", rowsIn(HOUR + HOUR_MS, HOUR + 2 * HOUR_MS)],
      ["2026-02-04T16:00:00.000Z", "missing", null],
    ]);
    const pagePath = join(await mkdtemp(join(tmpdir(), "coverage-")), "coverage.html");
    expect(
      await statusCommand(
        ["--aws", "--bucket", "exports", "--start", "2026-02-04T13:00:00Z", "--end", "2026-02-04T17:00:00Z", "--s3-endpoint-url", endpoint, "--html", pagePath],
        capturedIO({ now: () => HOUR + 3 * HOUR_MS }),
      ),
    ).toBe(0);
    const page = await readFile(pagePath, "utf8");
    expect(page).toContain('data-table="pulp_access_logs" data-day="2026-02-04" data-state="partial"');
    expect(page).toContain("AWS CloudWatch Logs, s3://exports (hours)");
  });

  it("status --clouds azure,aws puts both exports on one page and in one listing: an Azure table in Blob storage beside the AWS hours in S3", async () => {
    const table = new SyntheticTable({
      name: "Event",
      columns: [
        { name: "TimeGenerated", type: "datetime" },
        { name: "Source", type: "string" },
      ],
      bytesPerRow: 80,
      rowsInMinute: (m) => (m >= HOUR - HOUR_MS && m < HOUR + 3 * HOUR_MS ? 2 : 0),
    });
    const logAnalytics = await startFakeLogAnalytics({ tables: [table] });
    try {
      const state = uniqueName("clouds");
      const env = { AZURE_LOGS_ENDPOINT: `${logAnalytics.url}/v1`, AZURE_STORAGE_CONNECTION_STRING: inject("azuriteConnectionString") };
      const azure = ["--tables", "Event", "--state-container", state];
      const exported = capturedIO({ env, now: () => HOUR + 4 * HOUR_MS });
      expect(
        await backfillCommand(
          [
            "--workspace",
            logAnalytics.workspaceId,
            ...azure,
            "--start",
            "2026-02-04T13:00:00Z",
            "--end",
            "2026-02-04T17:00:00Z",
            "--container",
            uniqueName("clouds-data"),
            "--format",
            "jsonl.gz",
          ],
          exported,
        ),
        exported.err(),
      ).toBe(0);
      const range = ["--start", "2026-02-04T13:00:00Z", "--end", "2026-02-04T17:00:00Z"];
      const both = [...azure, ...range, "--clouds", "aws,azure", "--bucket", "exports", "--s3-endpoint-url", s3.env.AWS_ENDPOINT_URL_S3 ?? ""];
      const pagePath = join(dir, "both.html");
      expect(await statusCommand([...both, "--html", pagePath], capturedIO({ env, now: () => HOUR + 3 * HOUR_MS }))).toBe(0);
      const page = await readFile(pagePath, "utf8");
      const headings = [...page.matchAll(/<h2 id="section-\d">([^<]+)<\/h2>/g)].map((m) => m[1]);
      expect(headings).toEqual([
        expect.stringMatching(/^Azure Log Analytics, http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/\S+ \(60-minute windows\)$/),
        "AWS CloudWatch Logs, s3://exports (hours)",
      ]);
      expect(
        [...page.matchAll(/data-table="([^"]+)" data-day="([^"]+)" data-state="([^"]+)" title="([^;]+); (\d+) windows/g)].map((m) => m.slice(1, 6).join(" ")),
      ).toEqual(["Event 2026-02-04 complete Event 2026-02-04: complete 4", "pulp_access_logs 2026-02-04 partial pulp_access_logs 2026-02-04: partial 4"]);
      const listing = capturedIO({ env, now: () => HOUR + 3 * HOUR_MS });
      expect(await statusCommand(both, listing)).toBe(0);
      expect(listing.out()).toMatch(/^Azure Log Analytics, .*\n[\s\S]*Event[\s\S]*\n\nAWS CloudWatch Logs, s3:\/\/exports \(hours\)\n[\s\S]*pulp_access_logs/);
      const json = capturedIO({ env, now: () => HOUR + 3 * HOUR_MS });
      expect(await statusCommand([...both, "--json"], json)).toBe(0);
      const clouds = (JSON.parse(json.out()) as { clouds: { name: string; tables: TableCoverage[] }[] }).clouds;
      expect(clouds.map((c) => c.tables.map((t) => [t.table, t.counts.exported]))).toEqual([[["Event", 4]], [["pulp_access_logs", 2]]]);
      await expect(statusCommand([...both, "--aws"], capturedIO({ env }))).rejects.toThrow(/--aws shows the AWS export only/);
      await expect(statusCommand([...azure, "--clouds", "gcp"], capturedIO({ env }))).rejects.toThrow(/--clouds takes azure, aws or azure,aws; got "gcp"/);
    } finally {
      await logAnalytics.close();
    }
  });

  it("an hour whose export failed for good is exported by the next scheduled run (gap repair), once", async () => {
    const handler = createHandler(exporter, () => undefined);
    const h16 = HOUR + 2 * HOUR_MS;
    fake.inject({ on: "StartQuery", kind: "fail", status: "Failed", queryMatches: new RegExp(`@timestamp >= ${h16} and @timestamp < ${h16 + HOUR_MS}\\n`) });
    await expect(handler(scheduledEvent(h16 + HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("run-3"))).rejects.toThrow(/1 of 1 exports failed/);
    const bucket = await s3.bucket("exports");
    expect(
      await bucket.exists(
        `_logexport/manifests/table=pulp_access_logs/year=2026/month=02/day=04/hour=16/pulp_access_logs_20260204T160000Z_20260204T170000Z.manifest.json`,
      ),
    ).toBe(false);

    const next = await handler(scheduledEvent(h16 + 2 * HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("run-4"));
    expect(next.hours.map((h) => [h.hour, h.status, h.reason])).toEqual([
      ["2026-02-04T17:00:00.000Z", "exported", "scheduled"],
      ["2026-02-04T16:00:00.000Z", "exported", "repair"],
    ]);
    expect((await hourManifest(bucket, "pulp_access_logs", h16)).exportedRows).toBe(rowsIn(h16, h16 + HOUR_MS));
    const again = await handler(scheduledEvent(h16 + 3 * HOUR_MS + 15 * 60_000 + 3_000), lambdaContext("run-5"));
    expect(again.hours.map((h) => [h.hour, h.reason])).toEqual([["2026-02-04T18:00:00.000Z", "scheduled"]]);
  });
});
