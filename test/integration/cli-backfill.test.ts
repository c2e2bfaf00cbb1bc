import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { capturedIO, type CapturedIO } from "../helpers/cli-io.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { backfillCommand } from "../../cli/commands/backfill.js";
import { statusCommand } from "../../cli/commands/status.js";
import { CliError } from "../../cli/errors.js";
import type { CommandIO } from "../../cli/io.js";
import { DAY_MS, HOUR_MS } from "../../shared/core/time.js";
import type { TableCoverage } from "../../shared/engine/status.js";
import { downloadAll, exportedRows, manifests } from "../helpers/exported.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { uniqueName } from "../helpers/storage.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";

const DAY0 = Date.UTC(2026, 9, 1);
const NOW = DAY0 + 3 * DAY_MS;
const connectionString = inject("azuriteConnectionString");
let fake: FakeLogAnalytics;

beforeAll(async () => {
  fake = await startFakeLogAnalytics({
    tables: [
      new SyntheticTable({
        name: "Event",
        columns: [
          { name: "TimeGenerated", type: "datetime" },
          { name: "Source", type: "string" },
        ],
        bytesPerRow: 80,
        rowsInMinute: (m) => (m >= DAY0 && m < NOW ? 3 : 0),
      }),
    ],
  });
});
afterAll(async () => fake.close());

function io(signal?: AbortSignal, onErr?: (text: string) => void): CapturedIO {
  return capturedIO({ env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1`, AZURE_STORAGE_CONNECTION_STRING: connectionString }, now: () => NOW, signal, onErr });
}

function args(containers: { data: string; state: string }, extra: string[] = []): string[] {
  return [
    "--workspace",
    fake.workspaceId,
    "--tables",
    "Event",
    "--start",
    new Date(DAY0).toISOString(),
    "--end",
    new Date(DAY0 + 12 * HOUR_MS).toISOString(),
    "--container",
    containers.data,
    "--state-container",
    containers.state,
    "--concurrency",
    "1",
    "--format",
    "jsonl.gz",
    ...extra,
  ];
}

describe("logexport backfill and status", () => {
  it("--dry-run prints windows, rows and queries and exports nothing", async () => {
    const containers = { data: uniqueName("bf"), state: uniqueName("bfs") };
    const cli = io();
    expect(await backfillCommand(args(containers, ["--dry-run", "--max-rows", "100"]), cli)).toBe(0);
    // 12 windows of 180 rows, 2 parts each under a 100-row budget: 12 histograms + 24 part queries.
    expect(cli.out()).toMatch(/Event\s+12\s+0\s+12\s+2160\s+24\s+36/);
    expect(cli.out()).toMatch(/dry run: 36 queries/);
    const blobs = BlobServiceClient.fromConnectionString(connectionString);
    expect(await blobs.getContainerClient(containers.data).exists()).toBe(false);
  });

  it("interrupted after 3 windows and run again, it completes without redoing or duplicating anything", async () => {
    const containers = { data: uniqueName("bf"), state: uniqueName("bfs") };
    const interrupt = new AbortController();
    let finished = 0;
    const first = io(interrupt.signal, (text) => {
      finished += (text.match(/windows rows/g) ?? []).length;
      if (finished >= 3) interrupt.abort();
    });
    expect(await backfillCommand(args(containers), first)).toBe(130);
    const blobs = BlobServiceClient.fromConnectionString(connectionString);
    const state = blobs.getContainerClient(containers.state);
    const data = blobs.getContainerClient(containers.data);
    expect(await manifests(state, "Event")).toHaveLength(3);

    const second = io();
    expect(await backfillCommand(args(containers), second)).toBe(0);
    expect(second.out()).toMatch(/Event\s+12\s+3\s+0\s+2160\s+2160\s+12/);
    const all = await manifests(state, "Event");
    expect(all).toHaveLength(12);
    expect(all.every((m) => m.version === 1)).toBe(true);
    expect((await downloadAll(data)).map((b) => b.name)).toEqual(all.flatMap((m) => m.objects.map((o) => o.name)).sort());
    expect(await exportedRows(data, "Event")).toHaveLength(fake.table("Event").rowsIn(DAY0, DAY0 + 12 * HOUR_MS));

    const table = io();
    expect(
      await statusCommand(
        [
          "--tables",
          "Event",
          "--start",
          new Date(DAY0).toISOString(),
          "--end",
          new Date(DAY0 + 2 * DAY_MS).toISOString(),
          "--state-container",
          containers.state,
        ],
        table,
      ),
    ).toBe(0);
    expect(table.out()).toMatch(/Event\s+▒·\s+12\s+0\s+0\s+36\s+2160/);

    const pagePath = join(await mkdtemp(join(tmpdir(), "coverage-")), "coverage.html");
    const html = io();
    expect(
      await statusCommand(
        [
          "--tables",
          "Event",
          "--start",
          new Date(DAY0).toISOString(),
          "--end",
          new Date(DAY0 + 2 * DAY_MS).toISOString(),
          "--state-container",
          containers.state,
          "--html",
          pagePath,
        ],
        html,
      ),
    ).toBe(0);
    const page = await readFile(pagePath, "utf8");
    expect([...page.matchAll(/data-table="Event" data-day="([^"]+)" data-state="([^"]+)"/g)].map((m) => [m[1], m[2]])).toEqual([
      ["2026-10-01", "partial"],
      ["2026-10-02", "missing"],
    ]);
    expect(page).toContain("12 exported, 0 in progress, 0 failed, 12 missing); 2,160 rows");

    const json = io();
    expect(
      await statusCommand(
        [
          "--tables",
          "Event",
          "--start",
          new Date(DAY0).toISOString(),
          "--end",
          new Date(DAY0 + 12 * HOUR_MS).toISOString(),
          "--state-container",
          containers.state,
          "--json",
        ],
        json,
      ),
    ).toBe(0);
    const parsed = JSON.parse(json.out()) as { tables: TableCoverage[] };
    expect(parsed.tables[0]?.counts).toEqual({ exported: 12, "in-progress": 0, failed: 0, missing: 0 });
  });

  it("Ctrl-C while a window is under way: that window finishes, nothing fails, exit 130, and a rerun completes without duplicates", async () => {
    const containers = { data: uniqueName("bf"), state: uniqueName("bfs") };
    const interrupt = new AbortController();
    // The second lane's part query is throttled for a second, so its window is still under way when the first window's progress line aborts.
    fake.inject({ on: "rows", kind: "status", status: 429, retryAfterSeconds: 1, skip: 1 });
    const first = io(interrupt.signal, (text) => {
      if (/windows rows/.test(text)) interrupt.abort();
    });
    expect(await backfillCommand(args(containers, ["--concurrency", "2"]), first)).toBe(130);
    const blobs = BlobServiceClient.fromConnectionString(connectionString);
    const state = blobs.getContainerClient(containers.state);
    const data = blobs.getContainerClient(containers.data);
    const committed = await manifests(state, "Event");
    expect(committed.length).toBeGreaterThanOrEqual(2);
    expect(fake.queries.filter((q) => q.table === "Event" && q.status === 429)).toHaveLength(1);
    const ledger = (await downloadAll(state, "ledger/")).map((b) => b.data.toString()).join("");
    expect(ledger).not.toMatch(/,failed,/);
    expect(ledger.match(/,complete,/g)).toHaveLength(committed.length);
    expect(first.err()).toContain(`interrupted: ${committed.length} of 12 windows done; run the same command again to continue`);

    const second = io();
    expect(await backfillCommand(args(containers, ["--concurrency", "2"]), second)).toBe(0);
    const all = await manifests(state, "Event");
    expect(all).toHaveLength(12);
    expect(all.every((m) => m.version === 1)).toBe(true);
    expect((await downloadAll(data)).map((b) => b.name)).toEqual(all.flatMap((m) => m.objects.map((o) => o.name)).sort());
    const rows = await exportedRows(data, "Event");
    expect(rows).toHaveLength(fake.table("Event").rowsIn(DAY0, DAY0 + 12 * HOUR_MS));
    expect(new Set(rows.map((r) => JSON.stringify(r))).size).toBe(rows.length);
  });

  it("one failed window: the others are exported, the summary names it with its error, exit 1; a rerun exports only it", async () => {
    const containers = { data: uniqueName("bf"), state: uniqueName("bfs") };
    fake.inject({ on: "histogram", kind: "partialFailure", skip: 4 });
    const first = io();
    expect(await backfillCommand(args(containers, ["--concurrency", "2"]), first)).toBe(1);
    const state = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containers.state);
    const committed = await manifests(state, "Event");
    expect(committed).toHaveLength(11);
    expect(first.out()).toMatch(/Event\s+12\s+0\s+1\s+1980\s+1980\s+11/);
    const failed = /failed windows:\n {2}Event \[(\S+), (\S+)\): SourceQueryError: histogram of Event .* returned PartialFailure: PartialError/.exec(
      first.out(),
    );
    expect(failed).not.toBeNull();
    expect(committed.map((m) => m.window.start)).not.toContain(failed?.[1]);
    expect(first.out()).toContain("11 of 12 windows");
    expect(first.err()).toContain("1 of 12 windows failed; run the same command again to retry them");
    const ledger = (await downloadAll(state, "ledger/")).map((b) => b.data.toString()).join("");
    expect(ledger.match(/,failed,/g)).toHaveLength(1);
    expect(ledger).toContain(`Event,${failed?.[1] ?? ""},${failed?.[2] ?? ""},failed,`);

    const second = io();
    expect(await backfillCommand(args(containers, ["--concurrency", "2"]), second)).toBe(0);
    expect(second.out()).toMatch(/Event\s+12\s+11\s+0\s+2160\s+2160\s+12/);
    expect(await manifests(state, "Event")).toHaveLength(12);
  });

  it("refuses a missing account with one clear line", async () => {
    const cli: CommandIO = { ...io(), env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1` } };
    await expect(backfillCommand(args({ data: "x-data", state: "x-state" }), cli)).rejects.toThrow(CliError);
    await expect(statusCommand(["--tables", "Event", "--account-url", "http://not-https"], cli)).rejects.toThrow(/--account-url must look like https/);
  });
});
