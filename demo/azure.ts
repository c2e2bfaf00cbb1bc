import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { DuckDBInstance } from "@duckdb/node-api";
import { coverageTable } from "../cli/coverage-table.js";
import { formatBytes, renderTable } from "../cli/table.js";
import { HOUR_MS, isoInstant } from "../shared/core/time.js";
import { parseManifest } from "../shared/engine/manifest.js";
import type { TableCoverage } from "../shared/engine/status.js";
import { completeUntil } from "../shared/engine/windows.js";
import { createAzureStack, type AzureStack } from "../test/helpers/azure-stack.js";
import type { AzuriteInstance } from "../test/helpers/azurite.js";
import { startFakeLogAnalytics } from "../test/helpers/fake-log-analytics.js";
import { BURST_MINUTE_OFFSET_MS, demoTables, type SyntheticTable } from "../test/helpers/synthetic-table.js";
import type { DemoResult } from "./result.js";

type Say = (line: string) => void;

const JSONL_TABLE = "AppTraces";
const PART_MAX_ROWS = 10_000;
/** A quarter of the tests' steady rates keeps `npm start` well under a minute; the 25,000-row burst still splits into parts. */
const RATE_SCALE = 0.25;

async function download(container: ContainerClient, into: string): Promise<number> {
  let count = 0;
  for await (const blob of container.listBlobsFlat()) {
    const path = join(into, ...blob.name.split("/"));
    await mkdir(dirname(path), { recursive: true });
    await container.getBlobClient(blob.name).downloadToFile(path);
    count += 1;
  }
  return count;
}

async function summarize(say: Say, stack: AzureStack, tables: readonly SyntheticTable[], day: { startMs: number; endMs: number }): Promise<boolean> {
  const rows: (string | number)[][] = [["table", "windows", "rows in source", "rows expected", "rows exported", "re-exports", "files", "bytes", "seconds"]];
  let complete = true;
  for (const table of tables) {
    let windows = 0,
      expected = 0,
      exported = 0,
      files = 0,
      bytes = 0,
      ms = 0,
      reexports = 0;
    for (const name of await stack.list(stack.state, `manifests/table=${table.name}/`)) {
      const manifest = parseManifest((await stack.state.getBlobClient(name).downloadToBuffer()).toString("utf8"));
      if (manifest === undefined) continue;
      windows += 1;
      expected += manifest.expectedRows;
      exported += manifest.exportedRows;
      files += manifest.parts.length;
      bytes += manifest.bytes;
      ms += manifest.durationMs;
      if (manifest.version > 1) reexports += 1;
    }
    const inSource = table.rowsIn(day.startMs, day.endMs);
    complete &&= windows === (day.endMs - day.startMs) / HOUR_MS && exported === inSource;
    rows.push([table.name, windows, inSource, expected, exported, reexports, files, formatBytes(bytes), Number((ms / 1000).toFixed(1))]);
  }
  say(`\n${renderTable(rows)}\n`);
  return complete;
}

/** The archive as a reader sees it: every table's files in the copied-out container, counted by DuckDB. */
async function countWithDuckDb(output: string, say: Say, tables: readonly SyntheticTable[], range: { startMs: number; endMs: number }): Promise<boolean> {
  const duck = await (await DuckDBInstance.create(":memory:")).connect();
  const rows: (string | number)[][] = [["table", "format", "rows in source", "rows DuckDB reads"]];
  let equal = true;
  for (const table of tables) {
    const folder = join(output, "log-exports", `table=${table.name}`);
    const parquet = table.name !== JSONL_TABLE;
    const from = parquet
      ? `read_parquet('${folder}/**/*.parquet', hive_partitioning = true)`
      : `read_json('${folder}/**/*.jsonl.gz', format = 'newline_delimited')`;
    const [result] = (await duck.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${from}`)).getRowObjectsJS();
    const read = Number(result?.n ?? -1);
    const inSource = table.rowsIn(range.startMs, range.endMs);
    equal &&= read === inSource;
    rows.push([table.name, parquet ? "parquet" : "jsonl.gz", inSource, read]);
  }
  say(
    `\nDuckDB over the copied-out container (e.g. duckdb -c "SELECT count(*) FROM read_parquet('.demo-output/log-exports/table=AppRequests/**/*.parquet')"):\n${renderTable(rows)}`,
  );
  return equal;
}

/**
 * Seed 000's side: two days of Log Analytics tables through planner, workers, a late row and a backfill into the
 * given Azurite (started by the caller before this module loads, and stopped here). True when every row is exported once.
 */
export async function runAzureDemo(output: string, say: Say, azurite: AzuriteInstance): Promise<DemoResult> {
  const logFile = createWriteStream(join(output, "functions.log"));
  // One "now" for the whole demo: with the real clock, a run that crosses an hour boundary (or minute 20, the
  // ingestion delay) plans a window more than the day it checks.
  const nowMs = Date.now();
  const clock = { now: () => nowMs };
  const day = { startMs: completeUntil(nowMs, HOUR_MS, 20 * 60_000) - 24 * HOUR_MS, endMs: completeUntil(nowMs, HOUR_MS, 20 * 60_000) };
  const tables = demoTables(day.startMs, 1, { rateScale: RATE_SCALE });
  const previousDay = { startMs: day.startMs - 24 * HOUR_MS, endMs: day.startMs };

  say("Azure: the four function handlers (planner, worker, backfill, status) run in this process without the Functions host,");
  say("  called as the host would call them: no login, no core tools; Azurite and a fake Log Analytics API on loopback…");
  const fake = await startFakeLogAnalytics({ tables });
  try {
    say(`  Azurite blob ${azurite.blobUrl}\n  Log Analytics fake ${fake.url}/v1 (workspace ${fake.workspaceId})`);
    say(
      `Seeded ${tables.map((t) => `${t.name} ${t.rowsIn(previousDay.startMs, day.endMs)}`).join(", ")} rows over ${isoInstant(previousDay.startMs)} – ${isoInstant(day.endMs)},`,
    );
    say(`  with a burst of ${tables[0]?.rowsInMinute(day.startMs + BURST_MINUTE_OFFSET_MS)} rows in one minute (part budget ${PART_MAX_ROWS} rows).`);

    const stack = await createAzureStack({
      clock,
      connectionString: azurite.connectionString,
      fake,
      tables: tables.map((t) => t.name),
      // Parquet, the default of new deployments; one table left in gzip JSON Lines to show both.
      settings: {
        LOGEXPORT_CONTAINER: "log-exports",
        LOGEXPORT_STATE_CONTAINER: "log-export-state",
        LOGEXPORT_QUEUE: "log-export-windows",
        LOGEXPORT_PART_MAX_ROWS: String(PART_MAX_ROWS),
        LOGEXPORT_FORMAT: "parquet",
        LOGEXPORT_FORMAT_OVERRIDES: `${JSONL_TABLE}=jsonl.gz`,
      },
      log: (level, ...args) => logFile.write(`${level} ${args.map(String).join(" ")}\n`),
    });

    let done = 0;
    const drain = async (label: string) => {
      const result = await stack.drain({
        batchSize: 16,
        onInvocation: (event) => {
          if (event.outcome === "succeeded") done += 1;
          if (process.stdout.isTTY) process.stdout.write(`\r  ${label}: ${done} jobs done`);
        },
      });
      process.stdout.write(`${process.stdout.isTTY ? "\r" : ""}  ${label}: ${done} jobs done\n`);
      if (result.poisoned > 0) throw new Error(`${result.poisoned} jobs ended in the poison queue; see ${join(output, "functions.log")}`);
    };

    say("\nPlanner (timer trigger) run 1…");
    const plans = await stack.runPlanner();
    say(`  enqueued ${plans.reduce((n, p) => n + p.enqueued, 0)} window jobs for ${plans.length} tables`);
    await drain("Workers (queue trigger)");

    const lateMs = day.startMs + 3 * HOUR_MS + 5 * 60_000 + 123;
    tables[0]?.addLateRows([{ timeGeneratedMs: lateMs }]);
    say(`\nA row for ${isoInstant(lateMs)} arrives late in AppRequests. Planner run 2 (late-data check)…`);
    const second = await stack.runPlanner();
    say(`  re-enqueued ${second.reduce((n, p) => n + p.reexported, 0)} window(s) whose count grew, ${second.reduce((n, p) => n + p.enqueued, 0)} new`);
    done = 0;
    await drain("Workers");

    say(`\nBackfill of the day before through POST /api/backfill (HTTP trigger)…`);
    const accepted = await stack.backfill({ tables: tables.map((t) => t.name), start: isoInstant(previousDay.startMs), end: isoInstant(previousDay.endMs) });
    const { runId, windows, jobs } = accepted.body as { runId: string; windows: number; jobs: number };
    say(`  ${accepted.status}: run ${runId}, ${windows} windows in ${jobs} coarse jobs`);
    done = 0;
    await drain("Workers");

    const complete = await summarize(say, stack, tables, { startMs: previousDay.startMs, endMs: day.endMs });
    const status = await stack.status({ start: isoInstant(previousDay.startMs), end: isoInstant(day.endMs) });
    const coverage = { name: "Azure Log Analytics, Azurite (60-minute windows)", tables: (status.body as { tables: TableCoverage[] }).tables };
    say(`GET /api/status (from manifests and the ledger):\n${coverageTable(coverage.tables)}\n`);
    const files = (await download(stack.data, join(output, "log-exports"))) + (await download(stack.state, join(output, "log-export-state")));
    await writeFile(join(output, "settings.json"), `${JSON.stringify({ ...stack.env, ExportStorage: "(Azurite dev account)" }, null, 2)}\n`);
    say(`Output (${files} objects, copied out of Azurite): ${output}/`);
    say(`  data       log-exports/table=<T>/year=…/hour=…/<T>_<start>_<end>[_g<n>]_part-<i>-of-<n>.parquet (${JSONL_TABLE}: .jsonl.gz)`);
    say(`  manifests  log-export-state/manifests/…   ledger  log-export-state/ledger/<day>/<T>.csv`);
    say(`  logs       functions.log`);
    const counted = await countWithDuckDb(output, say, tables, { startMs: previousDay.startMs, endMs: day.endMs });
    say(
      `\nAzure summary: ${tables.length} tables over ${isoInstant(previousDay.startMs)} – ${isoInstant(day.endMs)}; ${complete && counted ? "every row exported exactly once, and DuckDB reads them all." : "INCOMPLETE: exported rows differ from the source."}`,
    );
    return { complete: complete && counted, coverage };
  } finally {
    await fake.close();
    await azurite.stop();
    logFile.end();
  }
}
