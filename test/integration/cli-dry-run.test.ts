/**
 * `logexport export --dry-run` on the fake query API: the windows, parts, queries and rows it prints are what a
 * real run then does, its GB scanned are the data the real run's queries cover, and a table on a plan billed per
 * GB scanned is priced with the price table's date.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCommand } from "../../cli/commands/export.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { QUERY_PRICES } from "../../shared/engine/query-cost.js";
import { capturedIO, type CapturedIO } from "../helpers/cli-io.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";

const DAY = Date.UTC(2026, 10, 20);
const BYTES_PER_ROW = 2_000;
let fake: FakeLogAnalytics;
let dir: string;

beforeAll(async () => {
  const table = (name: string, rowsInMinute: (m: number) => number) =>
    new SyntheticTable({
      name,
      columns: [
        { name: "TimeGenerated", type: "datetime" },
        { name: "Message", type: "string" },
      ],
      bytesPerRow: BYTES_PER_ROW,
      rowsInMinute,
    });
  fake = await startFakeLogAnalytics({
    tables: [table("AppTraces", (m) => (m >= DAY ? 30 : 0)), table("Basic_CL", (m) => (m >= DAY ? 11 + ((m / 60_000) % 7) : 0))],
  });
  dir = await mkdtemp(join(tmpdir(), "logexport-dry-run-"));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function io(): CapturedIO {
  return capturedIO({ env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1` }, now: () => DAY + 6 * HOUR_MS });
}

const args = (out: string) => [
  "--workspace",
  fake.workspaceId,
  "--table",
  "AppTraces,Basic_CL",
  "--start",
  "2026-11-20T00:00:00Z",
  "--end",
  "2026-11-20T04:00:00Z",
  "--format",
  "jsonl.gz",
  "--max-rows",
  "1000",
  "--out",
  out,
];

describe("logexport export --dry-run", () => {
  it("prints the windows, parts, queries and rows a real run then does, and prices the Basic table's GB scanned", async () => {
    const out = join(dir, "archive");
    const dry = io();
    const before = fake.queries.length;
    expect(await exportCommand([...args(out), "--dry-run", "--table-plans", "Basic_CL=basic"], dry)).toBe(0);
    // The dry run itself: one histogram per table.
    expect(fake.queries.length - before).toBe(2);
    const traces = fake.table("AppTraces").rowsIn(DAY, DAY + 4 * HOUR_MS);
    const basic = fake.table("Basic_CL").rowsIn(DAY, DAY + 4 * HOUR_MS);
    // 4 windows each; AppTraces 1,800 rows an hour → 2 parts a window under 1,000 rows; Basic_CL under 1,000 → 1 part.
    const basicGb = ((2 * basic * BYTES_PER_ROW) / 1e9).toFixed(3);
    const basicPrice = (((2 * basic * BYTES_PER_ROW) / 1e9) * QUERY_PRICES.perGbScanned.basic).toFixed(4);
    expect(dry.out()).toMatch(
      new RegExp(`^AppTraces +4 +0 +4 +${traces} +8 +12 +${((2 * traces * BYTES_PER_ROW) / 1e9).toFixed(3)} +analytics +\\$0\\.00$`, "m"),
    );
    expect(dry.out()).toMatch(new RegExp(`^Basic_CL +4 +0 +4 +${basic} +4 +8 +${basicGb} +basic +\\$${basicPrice}$`, "m"));
    expect(dry.out()).toMatch(new RegExp(`20 queries would run .*; estimated query price \\$${basicPrice}\\n`));
    expect(dry.out()).toContain(
      `list prices of ${QUERY_PRICES.asOf} in USD (basic $0.005/GB, auxiliary $0.005/GB, search-job $0.005/GB; analytics queries not billed per GB), not confirmed against the Azure Monitor price page;`,
    );
    expect(dry.out()).toMatch(/nothing was exported\n$/);

    const real = io();
    const start = fake.queries.length;
    expect(await exportCommand(args(out), real)).toBe(0);
    const served = fake.queries.slice(start);
    expect(served).toHaveLength(20);
    expect(served.filter((q) => q.kind === "rows").reduce((n, q) => n + q.rows, 0)).toBe(traces + basic);
    // The data the real run's queries cover (what a per-GB plan bills) is the dry run's estimate.
    const covered = (table: string) =>
      served.filter((q) => q.table === table).reduce((n, q) => n + fake.table(table).rowsIn(q.startMs, q.endMs) * BYTES_PER_ROW, 0);
    expect((covered("Basic_CL") / 1e9).toFixed(3)).toBe(basicGb);
    expect(covered("AppTraces")).toBe(2 * traces * BYTES_PER_ROW);

    const again = io();
    expect(await exportCommand([...args(out), "--dry-run"], again)).toBe(0);
    expect(again.out()).toMatch(/^AppTraces +4 +4 +0 +0 +0 +0 +0\.000 +analytics +\$0\.00$/m);
  });

  it("refuses a plan for a table it does not export, and an unknown plan", async () => {
    await expect(exportCommand([...args(join(dir, "x")), "--dry-run", "--table-plans", "Other=basic"], io())).rejects.toThrow(
      /--table-plans: "Other" is not one of the tables exported/,
    );
    await expect(exportCommand([...args(join(dir, "x")), "--dry-run", "--table-plans", "Basic_CL=premium"], io())).rejects.toThrow(
      /must be one of analytics, basic, auxiliary, search-job/,
    );
  });
});
