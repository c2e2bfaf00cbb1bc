import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { buildAll, bundleTable } from "../scripts/build.js";
import { formatBytes, renderTable } from "../cli/table.js";
import { HOUR_MS, isoInstant, MINUTE_MS } from "../shared/core/time.js";
import { encodeWindowJob } from "../shared/engine/messages.js";
import { loadAzureExportSettings } from "../shared/settings/azure.js";
import { startAzurite } from "../test/helpers/azurite.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../test/helpers/fake-log-analytics.js";
import { benchTable, encodeRow } from "../test/helpers/synthetic-table.js";
import type { RecordEncoder } from "../shared/core/ports.js";
import type { LogRecord } from "../shared/core/records.js";
import { PARQUET_CODECS } from "../shared/formats/parquet/encoder.js";
import { createLogAnalyticsParquetEncoder } from "../shared/formats/parquet/log-analytics.js";
import { JsonLinesGzipEncoder } from "../shared/formats/jsonl-gzip/encoder.js";
import { parseRow } from "../shared/sources/log-analytics/result-stream.js";
import { recordBuilder } from "../shared/sources/log-analytics/values.js";
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
  readonly format: "parquet" | "jsonl.gz";
}

const CASES: readonly Case[] = [
  { table: "Bench100k_CL", rows: 100_000, burstRows: 0, format: "jsonl.gz" },
  { table: "Bench1M_CL", rows: 1_000_000, burstRows: 0, format: "jsonl.gz" },
  { table: "Bench100kPq_CL", rows: 100_000, burstRows: 0, format: "parquet" },
  { table: "Bench1MPq_CL", rows: 1_000_000, burstRows: 0, format: "parquet" },
  { table: "BenchBurst_CL", rows: 750_000, burstRows: 250_000, format: "parquet" },
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
    LOGEXPORT_FORMAT: c.format,
    BENCH_JOB: encodeWindowJob({ table: c.table, window: WINDOW, runId: "bench", reason: "manual", force: true }),
  };
  const before = fake.queries.length;
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/export-once.ts"], { env, maxBuffer: 1 << 20 });
  const figures = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as WorkerFigures;
  const queries = fake.queries.slice(before).filter((q) => q.table === c.table);
  const { partMaxRows, partMaxBytes } = loadAzureExportSettings(env);
  const table = fake.table(c.table);
  const overBudgetMinutes = table
    .histogram(WINDOW.startMs, WINDOW.endMs, MINUTE_MS)
    .filter((bin) => bin.rows > partMaxRows || bin.rows * table.bytesPerRow > partMaxBytes).length;
  return {
    ...figures,
    histogramQueries: queries.filter((q) => q.kind === "histogram").length,
    rowQueries: queries.filter((q) => q.kind === "rows").length,
    overBudgetMinutes,
  };
}

/**
 * Bytes per row of one generated 200,000-row window in Parquet with each codec the writer offers here,
 * against gzip JSON Lines of the same rows, encoded in this process (no storage).
 */
async function compressionByCodec(): Promise<string> {
  const table = benchTable(HOUR, 200_000, "Codecs_CL");
  const columns = table.columns.map((c) => ({ name: c.name, type: c.type }));
  const build = recordBuilder(columns);
  async function* records(): AsyncIterable<LogRecord> {
    for (const row of table.rows(WINDOW.startMs, WINDOW.endMs)) yield build(parseRow(encodeRow(row)));
  }
  const measure = async (label: string, encoder: RecordEncoder): Promise<(string | number)[]> => {
    const started = performance.now();
    let bytes = 0;
    for await (const chunk of encoder.encode(records(), columns)) bytes += chunk.length;
    const seconds = (performance.now() - started) / 1000;
    return [label, formatBytes(bytes), Number((bytes / 200_000).toFixed(1)), Math.round(200_000 / seconds)];
  };
  const rows: (string | number)[][] = [["encoding", "bytes", "B/row", "rows/s (encode only)"]];
  rows.push(await measure("gzip JSON Lines", new JsonLinesGzipEncoder()));
  for (const codec of PARQUET_CODECS) rows.push(await measure(`Parquet ${codec}`, createLogAnalyticsParquetEncoder({ codec })));
  return `Compression on a 200,000-row window of the bench table (ZSTD needs a native module on Node 20, not tried):\n${renderTable(rows)}`;
}

/** Issue figures of the Azure export: rows/s, peak RSS 100k vs 1M rows, queries per window, bundles. */
export async function benchAzureExport(): Promise<void> {
  process.stdout.write(
    `Benchmarks on loopback servers (fake Log Analytics in this process, Azurite in its own, each worker in its own); window ${isoInstant(WINDOW.startMs)} + 1 h, default part budget.\n\n`,
  );
  const azurite = await startAzurite();
  const fake = await startFakeLogAnalytics({ tables: CASES.map((c) => benchTable(HOUR, c.rows, c.table, c.burstRows)) });
  const results: (CaseFigures & { label: string; format: string })[] = [];
  try {
    for (const c of CASES) {
      process.stdout.write(`  exporting ${c.table} (${c.rows + c.burstRows} rows)…\n`);
      results.push({ label: c.table, format: c.format, ...(await exportInChild(c, fake, azurite.connectionString)) });
    }
  } finally {
    await fake.close();
    await azurite.stop();
  }
  process.stdout.write(
    `\n${renderTable([
      ["window", "format", "rows", "parts", "queries", "histogram q.", "part q.", "output", "B/row", "seconds", "rows/s", "peak RSS"],
      ...results.map((r) => [
        r.label,
        r.format,
        r.rows,
        r.parts,
        r.queries,
        r.histogramQueries,
        r.rowQueries,
        formatBytes(r.bytes),
        Number((r.bytes / r.rows).toFixed(1)),
        Number(r.seconds.toFixed(2)),
        Math.round(r.rows / r.seconds),
        formatBytes(r.peakRssBytes),
      ]),
    ])}\n`,
  );
  const [jsonlSmall, jsonlLarge, parquetSmall, parquetLarge] = results;
  for (const [small, large] of [
    [jsonlSmall, jsonlLarge],
    [parquetSmall, parquetLarge],
  ] as const) {
    if (small === undefined || large === undefined) continue;
    const ratio = large.peakRssBytes / small.peakRssBytes;
    process.stdout.write(
      `\n${large.format}: peak RSS 1,000,000-row window / 100,000-row window: ${ratio.toFixed(2)} (must be ≤ 1.5: ${ratio <= 1.5 ? "ok" : "FAILED"}); end-to-end ${Math.round(large.rows / large.seconds)} rows/s (fake → Blob)`,
    );
    if (ratio > 1.5) process.exitCode = 1;
  }
  if (jsonlLarge !== undefined && parquetLarge !== undefined) {
    const speed = parquetLarge.rows / parquetLarge.seconds / (jsonlLarge.rows / jsonlLarge.seconds);
    process.stdout.write(
      `\nParquet / JSON Lines rows/s on the 1,000,000-row window, same run: ${speed.toFixed(2)} (target ≥ 0.8: ${speed >= 0.8 ? "ok" : "FAILED"}); bytes ${((100 * parquetLarge.bytes) / jsonlLarge.bytes).toFixed(0)} % of JSON Lines\n`,
    );
    if (speed < 0.8) process.exitCode = 1;
  }
  process.stdout.write(`\n${await compressionByCodec()}\n`);
  for (const r of results) {
    const expected = r.parts + 1 + r.overBudgetMinutes;
    const ok = r.queries === expected && r.rowQueries === r.parts && r.histogramQueries === 1 + r.overBudgetMinutes;
    process.stdout.write(
      `queries for ${r.label}: ${r.queries} = ${r.rowQueries} parts + ${r.histogramQueries} histogram(s); ${r.overBudgetMinutes} minute(s) over the part budget, so it must be parts + 1 + ${r.overBudgetMinutes} = ${expected}: ${ok ? "ok" : "FAILED"}\n`,
    );
    if (!ok) process.exitCode = 1;
  }
  process.stdout.write(`\n${bundleTable(await buildAll())}\n`);
}
