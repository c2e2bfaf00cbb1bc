import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { buildAll, bundleTable } from "../scripts/build.js";
import { formatBytes, renderTable } from "../cli/table.js";
import { HOUR_MS, isoInstant, MINUTE_MS } from "../shared/core/time.js";
import { encodeWindowJob } from "../shared/engine/messages.js";
import { loadAzureExportSettings } from "../shared/settings/azure.js";
import { startAzurite } from "../test/helpers/azurite.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../test/helpers/fake-log-analytics.js";
import { benchTable } from "../test/helpers/synthetic-table.js";
import { uniqueName } from "../test/helpers/storage.js";

const run = promisify(execFile);
const HOUR = Date.UTC(2026, 10, 1, 10);
const WINDOW = { startMs: HOUR, endMs: HOUR + HOUR_MS };

interface WorkerFigures {
  rows: number;
  parts: number;
  bytes: number;
  queries: number;
  seconds: number;
  peakRssBytes: number;
}

interface Case {
  readonly table: string;
  readonly rows: number;
  readonly burstRows: number;
}

const CASES: readonly Case[] = [
  { table: "Bench100k_CL", rows: 100_000, burstRows: 0 },
  { table: "Bench1M_CL", rows: 1_000_000, burstRows: 0 },
  { table: "BenchBurst_CL", rows: 750_000, burstRows: 250_000 },
];

interface CaseFigures extends WorkerFigures {
  histogramQueries: number;
  rowQueries: number;
  /** Minutes of the window over the worker's part budget: each needs one finer histogram. */
  overBudgetMinutes: number;
}

async function exportInChild(c: Case, fake: FakeLogAnalytics, connectionString: string): Promise<CaseFigures> {
  const env = {
    ...process.env,
    LOGEXPORT_WORKSPACE_ID: fake.workspaceId,
    LOGEXPORT_TABLES: c.table,
    AZURE_LOGS_ENDPOINT: `${fake.url}/v1`,
    ExportStorage: connectionString,
    LOGEXPORT_CONTAINER: uniqueName("bench"),
    LOGEXPORT_STATE_CONTAINER: uniqueName("bench-state"),
    LOGEXPORT_QUEUE: uniqueName("bench-jobs"),
    BENCH_JOB: encodeWindowJob({ table: c.table, window: WINDOW, runId: "bench", reason: "manual", force: true }),
  };
  const before = fake.queries.length;
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/export-once.ts"], { env, maxBuffer: 1 << 20 });
  const figures = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as WorkerFigures;
  const queries = fake.queries.slice(before).filter((q) => q.table === c.table);
  const { partMaxRows, partMaxBytes } = loadAzureExportSettings(env);
  const table = fake.table(c.table);
  const overBudgetMinutes = table.histogram(WINDOW.startMs, WINDOW.endMs, MINUTE_MS).filter((bin) => bin.rows > partMaxRows || bin.rows * table.bytesPerRow > partMaxBytes).length;
  return { ...figures, histogramQueries: queries.filter((q) => q.kind === "histogram").length, rowQueries: queries.filter((q) => q.kind === "rows").length, overBudgetMinutes };
}

/** Issue figures of the Azure export: rows/s, peak RSS 100k vs 1M rows, queries per window, bundles. */
export async function benchAzureExport(): Promise<void> {
  process.stdout.write(`Benchmarks on loopback servers (fake Log Analytics in this process, Azurite in its own, each worker in its own); window ${isoInstant(WINDOW.startMs)} + 1 h, default part budget.\n\n`);
  const azurite = await startAzurite();
  const fake = await startFakeLogAnalytics({ tables: CASES.map((c) => benchTable(HOUR, c.rows, c.table, c.burstRows)) });
  const results: (CaseFigures & { label: string })[] = [];
  try {
    for (const c of CASES) {
      process.stdout.write(`  exporting ${c.table} (${c.rows + c.burstRows} rows)…\n`);
      results.push({ label: c.table, ...(await exportInChild(c, fake, azurite.connectionString)) });
    }
  } finally {
    await fake.close();
    await azurite.stop();
  }
  process.stdout.write(`\n${renderTable([
    ["window", "rows", "parts", "queries", "histogram q.", "part q.", "output", "seconds", "rows/s", "peak RSS"],
    ...results.map((r) => [r.label, r.rows, r.parts, r.queries, r.histogramQueries, r.rowQueries, formatBytes(r.bytes), Number(r.seconds.toFixed(2)), Math.round(r.rows / r.seconds), formatBytes(r.peakRssBytes)]),
  ])}\n`);
  const small = results[0];
  const large = results[1];
  if (small !== undefined && large !== undefined) {
    const ratio = large.peakRssBytes / small.peakRssBytes;
    process.stdout.write(`\npeak RSS 1,000,000-row window / 100,000-row window: ${ratio.toFixed(2)} (must be ≤ 1.5: ${ratio <= 1.5 ? "ok" : "FAILED"})\n`);
    process.stdout.write(`end-to-end throughput, 1,000,000-row window (fake → Blob): ${Math.round(large.rows / large.seconds)} rows/s\n`);
    if (ratio > 1.5) process.exitCode = 1;
  }
  for (const r of results) {
    const expected = r.parts + 1 + r.overBudgetMinutes;
    const ok = r.queries === expected && r.rowQueries === r.parts && r.histogramQueries === 1 + r.overBudgetMinutes;
    process.stdout.write(`queries for ${r.label}: ${r.queries} = ${r.rowQueries} parts + ${r.histogramQueries} histogram(s); ${r.overBudgetMinutes} minute(s) over the part budget, so it must be parts + 1 + ${r.overBudgetMinutes} = ${expected}: ${ok ? "ok" : "FAILED"}\n`);
    if (!ok) process.exitCode = 1;
  }
  process.stdout.write(`\n${bundleTable(await buildAll())}\n`);
}

