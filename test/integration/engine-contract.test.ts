/**
 * One table of engine cases, run once per cloud's adapter set, each built by its application layer
 * (createAzureExport: fake Log Analytics, Azurite, gzip JSON Lines; createAwsExport: fake CloudWatch
 * Logs, s3rver, Parquet). The cases are the engine's promises: every row once with a manifest that
 * proves it, skip-if-done, a forced re-export that keeps the rows, an empty window, a failed part
 * retried, late rows re-exported by the cloud's own re-check, and a ledger line per export.
 */
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { parquetMetadata } from "hyparquet";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { silentLogger as silent } from "../../shared/core/logger.js";
import { HOUR_MS, MINUTE_MS, type TimeRange } from "../../shared/core/time.js";
import type { ExportOutcome } from "../../shared/engine/export-window.js";
import { parseLedger } from "../../shared/engine/ledger.js";
import { MANIFEST_SCHEMA, parseManifest, type ExportManifest } from "../../shared/engine/manifest.js";
import { manifestName } from "../../shared/engine/naming.js";
import { loadAwsExportSettings } from "../../shared/settings/aws.js";
import { createAwsExport } from "../../shared/wiring/aws.js";
import { createAzureStack } from "../helpers/azure-stack.js";
import { fakeClientConfig, startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { PulpLogStream } from "../helpers/pulp-log-stream.js";
import { startS3, type S3Harness } from "../helpers/s3.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";
import { ACCESS_ROW_KINDS } from "./cloudwatch-expected-rows.js";

/** Data in three hours: the first holds the cases' windows, the others are there so a re-check has neighbours. */
const H0 = Date.UTC(2026, 1, 4, 14);
const HOURS = 3;
/** Rows per part query, far below each service's limit so that every window takes several parts. */
const PART_ROWS = 250;

/** What the cases need from a cloud: its use cases and a look at what its store holds. */
interface EngineRig {
  readonly table: string;
  /** Rows the export must keep from the source in the window (its filter applied). */
  sourceRows(window: TimeRange): number;
  exportWindow(window: TimeRange, force?: boolean, allowShrink?: boolean): Promise<ExportOutcome>;
  /** The source forgets the rows of the second half of hour(2) (retention, a purge). */
  loseRows(): void;
  manifest(window: TimeRange): Promise<ExportManifest | undefined>;
  /** Rows in a data object, read with the format's own reader. */
  objectRows(name: string): Promise<{ rows: number; sha256: string }>;
  ledgerStatuses(window: TimeRange): Promise<string[]>;
  /** `rows` more in the window, arriving now. */
  addLate(window: TimeRange, rows: number): void;
  /** The cloud's own scheduled re-check at `nowMs` (Azure: the planner and its workers; AWS: the hourly run's re-check). */
  recheckLate(nowMs: number): Promise<void>;
  /** The window's next part query fails in a way the SDK's own retries do not get past. */
  failNextPart(window: TimeRange): void;
  close(): Promise<void>;
}

function hour(index: number): TimeRange {
  return { startMs: H0 + index * HOUR_MS, endMs: H0 + (index + 1) * HOUR_MS };
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** What loseRows() takes away: the second half of hour(2). */
function isLost(ms: number): boolean {
  return ms >= H0 + 2 * HOUR_MS + 30 * MINUTE_MS && ms < H0 + 3 * HOUR_MS;
}

async function azureRig(): Promise<EngineRig> {
  let lost = false;
  const table = new SyntheticTable({
    name: "Contract_CL",
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Message", type: "string" },
      { name: "Count", type: "long" },
    ],
    bytesPerRow: 100,
    rowsInMinute: (m) => (m >= H0 && m < H0 + HOURS * HOUR_MS && !(lost && isLost(m)) ? 10 : 0),
  });
  const fake: FakeLogAnalytics = await startFakeLogAnalytics({ tables: [table] });
  let nowMs = H0 + HOURS * HOUR_MS + HOUR_MS;
  const stack = await createAzureStack({
    connectionString: inject("azuriteConnectionString"),
    fake,
    tables: [table.name],
    clock: { now: () => nowMs },
    settings: { LOGEXPORT_PART_MAX_ROWS: String(PART_ROWS), LOGEXPORT_RETRY_BASE_MS: "1", LOGEXPORT_INITIAL_LOOKBACK_HOURS: String(HOURS + 1) },
  });
  const readManifest = async (window: TimeRange) => {
    const text = await stack.exporter.state.readText(manifestName(table.name, window));
    return text === undefined ? undefined : parseManifest(text.text);
  };
  return {
    table: table.name,
    sourceRows: (window) => table.rowsIn(window.startMs, window.endMs),
    exportWindow: (window, force = false, allowShrink = false) =>
      stack.exporter.exportWindow({ table: table.name, window, runId: "contract", reason: "manual", force, allowShrink }, silent),
    loseRows: () => {
      lost = true;
    },
    manifest: readManifest,
    objectRows: async (name) => {
      const data = await stack.data.getBlobClient(name).downloadToBuffer();
      return {
        rows: gunzipSync(data)
          .toString("utf8")
          .split("\n")
          .filter((line) => line !== "").length,
        sha256: sha256(data),
      };
    },
    ledgerStatuses: async (window) => {
      const entries: string[] = [];
      for await (const name of stack.exporter.state.list("ledger/")) {
        const text = (await stack.exporter.state.readText(name))?.text ?? "";
        entries.push(
          ...parseLedger(text)
            .filter((e) => e.table === table.name && e.windowStart === new Date(window.startMs).toISOString())
            .map((e) => e.status),
        );
      }
      return entries;
    },
    addLate: (window, rows) => {
      table.addLateRows(Array.from({ length: rows }, (_, i) => ({ timeGeneratedMs: window.startMs + 10 * MINUTE_MS + i })));
    },
    recheckLate: async (at) => {
      nowMs = at;
      await stack.runPlanner();
      await stack.drain();
    },
    failNextPart: () => fake.inject({ on: "rows", kind: "resetMidBody", afterRows: 5 }),
    close: () => fake.close(),
  };
}

async function awsRig(): Promise<EngineRig> {
  const group = "/aws/containerinsights/contract/application";
  let late = 0;
  let lost = false;
  const lateSecond = H0 + 600_000;
  // One event every three seconds for three hours, `late` more in one second once they "arrive".
  const stream = new PulpLogStream({
    logGroupName: group,
    seed: "contract",
    eventsInSecond: (s) => (s >= H0 && s < H0 + HOURS * HOUR_MS && ((s - H0) / 1000) % 3 === 0 && !(lost && isLost(s)) ? 1 : 0) + (s === lateSecond ? late : 0),
  });
  const fake: FakeCloudWatchLogs = await startFakeCloudWatchLogs({ groups: [stream] });
  const s3: S3Harness = await startS3({ buckets: ["contract"] });
  const settings = loadAwsExportSettings({
    LOGEXPORT_LOG_GROUPS: group,
    LOGEXPORT_S3_BUCKET: "contract",
    LOGEXPORT_S3_PREFIX: "pulp",
    LOGEXPORT_FILTER_PATHS: "",
    LOGEXPORT_QUERY_ROW_LIMIT: String(PART_ROWS),
    LOGEXPORT_RETRY_BASE_MS: "1",
  });
  const exporter = createAwsExport(settings, { logs: new CloudWatchLogsClient(fakeClientConfig(fake, 3)), s3: s3.client() });
  const bucket = await s3.bucket("contract");
  const table = exporter.tableOf("access");
  const readManifest = async (window: TimeRange) => {
    const key = `_logexport/${manifestName(table, window)}`;
    return (await bucket.exists(key)) ? parseManifest((await bucket.getBytes(key)).toString("utf8")) : undefined;
  };
  return {
    table,
    sourceRows: (window) => {
      let rows = 0;
      for (const event of stream.events(window.startMs, window.endMs)) if (ACCESS_ROW_KINDS.has(event.kind)) rows += 1;
      return rows;
    },
    exportWindow: (window, force = false, allowShrink = false) =>
      exporter.exportHour("access", window.startMs, { runId: "contract", reason: "manual", force, allowShrink }, silent),
    loseRows: () => {
      lost = true;
    },
    manifest: readManifest,
    objectRows: async (name) => {
      const data = await bucket.getBytes(name);
      const bytes = new Uint8Array(data).buffer;
      return { rows: Number(parquetMetadata(bytes).num_rows), sha256: sha256(data) };
    },
    ledgerStatuses: async (window) => {
      const keys = await bucket.keys("_logexport/ledger/");
      const entries = await Promise.all(keys.map(async (key) => parseLedger((await bucket.getBytes(key)).toString("utf8"))));
      return entries
        .flat()
        .filter((e) => e.table === table && e.windowStart === new Date(window.startMs).toISOString())
        .map((e) => e.status);
    },
    addLate: (_window, rows) => {
      late += rows;
    },
    recheckLate: async (at) => {
      await exporter.recheckHours("access", Math.floor(at / HOUR_MS) * HOUR_MS, "contract-late", silent, 0);
    },
    // Three 503s outlast the SDK's three attempts; only the window's first part query, not its histogram (as in aws-export.test.ts).
    failNextPart: (window) =>
      fake.inject({
        on: "StartQuery",
        kind: "status",
        status: 503,
        times: 3,
        queryMatches: new RegExp(`^fields [^|]*\\| filter @timestamp >= ${window.startMs} and`),
      }),
    close: async () => {
      await fake.close();
      await s3.stop();
    },
  };
}

describe.each([
  ["Azure (Log Analytics → Blob, gzip JSON Lines)", azureRig],
  ["AWS (CloudWatch Logs → S3, Parquet)", awsRig],
])("the window engine on %s", (_name, start) => {
  let rig: EngineRig;
  beforeAll(async () => {
    rig = await start();
  }, 60_000);
  afterAll(async () => rig?.close());

  /** The manifest matches the source, its objects and itself. */
  async function expectProven(window: TimeRange): Promise<ExportManifest> {
    const manifest = await rig.manifest(window);
    if (manifest === undefined) throw new Error("no manifest");
    expect(manifest).toMatchObject({ schema: MANIFEST_SCHEMA, status: "complete", table: rig.table, exportedRows: rig.sourceRows(window) });
    expect(manifest.parts.reduce((sum, part) => sum + part.exportedRows, 0)).toBe(manifest.exportedRows);
    let rows = 0;
    for (const object of manifest.objects) {
      const stored = await rig.objectRows(object.name);
      expect(stored).toEqual({ rows: object.rows, sha256: object.sha256 });
      rows += stored.rows;
    }
    expect(rows).toBe(manifest.exportedRows);
    return manifest;
  }

  it("exports a window in several parts, every row once, with one histogram query besides the parts", async () => {
    const outcome = await rig.exportWindow(hour(0));
    expect(outcome.status).toBe("exported");
    const manifest = await expectProven(hour(0));
    expect(manifest.exportedRows).toBeGreaterThan(PART_ROWS);
    expect(manifest.parts.length).toBeGreaterThan(1);
    expect(outcome.queries).toBe(manifest.parts.length + 1);
  });

  it("skips a window that is done, querying nothing", async () => {
    const before = await rig.manifest(hour(0));
    const outcome = await rig.exportWindow(hour(0));
    expect(outcome).toMatchObject({ status: "skipped", queries: 0 });
    expect(await rig.manifest(hour(0))).toEqual(before);
  });

  it("re-exports a window when forced, keeping exactly its rows", async () => {
    const before = await rig.manifest(hour(0));
    const outcome = await rig.exportWindow(hour(0), true);
    expect(outcome.status).toBe("exported");
    const after = await expectProven(hour(0));
    expect(after.exportedRows).toBe(before?.exportedRows);
    expect(after.startedAt >= (before?.startedAt ?? "")).toBe(true);
  });

  it("exports an empty window with a manifest of zero rows", async () => {
    const empty = hour(-5);
    expect(rig.sourceRows(empty)).toBe(0);
    expect((await rig.exportWindow(empty)).status).toBe("exported");
    expect((await expectProven(empty)).exportedRows).toBe(0);
  });

  it("retries a part that failed, and still exports every row once", async () => {
    rig.failNextPart(hour(1));
    expect((await rig.exportWindow(hour(1))).status).toBe("exported");
    const manifest = await expectProven(hour(1));
    expect(manifest.parts.some((part) => part.attempts > 1)).toBe(true);
  });

  it("re-exports the window that got late rows on the cloud's own re-check, and only that one", async () => {
    await rig.exportWindow(hour(2));
    await rig.recheckLate(H0 + (HOURS + 1) * HOUR_MS);
    const before = await rig.manifest(hour(0));
    const neighbours = [await rig.manifest(hour(1)), await rig.manifest(hour(2))];
    rig.addLate(hour(0), 7);
    await rig.recheckLate(H0 + (HOURS + 2) * HOUR_MS);
    const after = await expectProven(hour(0));
    expect(after.reason).toBe("late");
    // Every late line is a row on Azure; on AWS some of them are lines the export does not keep.
    expect(after.exportedRows).toBeGreaterThan(before?.exportedRows ?? 0);
    expect([await rig.manifest(hour(1)), await rig.manifest(hour(2))]).toEqual(neighbours);
  });

  it("refuses a forced re-export after the source lost rows, naming both counts; with allowShrink archives what is left and records it", async () => {
    const before = await rig.manifest(hour(2));
    rig.loseRows();
    await expect(rig.exportWindow(hour(2), true)).rejects.toThrow(
      new RegExp(
        `the archive holds ${before?.exportedRows} rows \\(manifest version ${before?.version}, ${before?.readRows} read\\) and the source now counts \\d+; refused`,
      ),
    );
    expect(await rig.manifest(hour(2))).toEqual(before);
    expect((await rig.exportWindow(hour(2), true, true)).status).toBe("exported");
    const after = await expectProven(hour(2));
    expect(after.shrink).toEqual({ fromVersion: before?.version, fromRows: before?.exportedRows });
    expect(await rig.ledgerStatuses(hour(2))).toEqual(["complete", "failed", "complete"]);
  });

  it("writes a ledger line for every export of a window", async () => {
    expect(await rig.ledgerStatuses(hour(0))).toEqual(["complete", "complete", "complete"]);
  });
});
