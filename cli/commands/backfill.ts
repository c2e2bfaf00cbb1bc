import type { ContainerClient } from "@azure/storage-blob";
import { isObjectPrefix } from "../../shared/core/identifiers.js";
import type { TimeRange } from "../../shared/core/time.js";
import type { ExportDependencies } from "../../shared/engine/export-window.js";
import { manifestNamesIn } from "../../shared/engine/manifest-index.js";
import { manifestName } from "../../shared/engine/naming.js";
import { splitRange } from "../../shared/engine/windows.js";
import { BlobObjectStore } from "../../shared/sinks/blob/store.js";
import { ACCOUNT_FLAGS, containerFlag, openAccount } from "../account.js";
import { integerFlag, parseFlags, stringFlag, usage, type FlagSpec } from "../args.js";
import { cliExportDependencies, QUERY_FLAGS, rangeFlags, runIdFor, tablesFlag, windowFlag } from "../common.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { formatSeconds } from "../progress.js";
import { reportEnd, runWindows, summaryTable, type WindowTask } from "../run-windows.js";
import { renderTable } from "../table.js";

export const BACKFILL_FLAGS: readonly FlagSpec[] = [
  { name: "tables", required: true, description: "table names separated by commas" },
  ...QUERY_FLAGS,
  ...ACCOUNT_FLAGS,
  { name: "container", default: "log-exports", description: "container of the exported data" },
  { name: "prefix", default: "", description: "path prefix inside the data container" },
  { name: "dry-run", boolean: true, description: "print the plan and the number of queries, export nothing" },
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY = "Exports a range into the deployment's containers from this machine, as POST /api/backfill does through the queue. Interrupted and run again, it continues where it stopped.";

/** The plan without exporting: windows to do and the queries they need (one histogram per window plus its estimated parts). */
async function dryRun(deps: ExportDependencies, state: BlobObjectStore, tables: readonly string[], range: TimeRange, windowMs: number, io: CommandIO): Promise<number> {
  const rows: (string | number)[][] = [["table", "windows", "exported", "to export", "rows to export", "est. parts", "est. queries"]];
  let totalQueries = 0;
  for (const table of tables) {
    const windows = splitRange(range, windowMs);
    const done = await manifestNamesIn(state, table, range);
    const todo = windows.filter((w) => !done.has(manifestName(table, w)));
    const bins = todo.length === 0 ? [] : await deps.source.histogram(table, range, windowMs);
    const todoStarts = new Set(todo.map((w) => w.startMs));
    let rowsToDo = 0;
    let parts = 0;
    for (const bin of bins) {
      if (!todoStarts.has(bin.startMs)) continue;
      rowsToDo += bin.rows;
      parts += Math.max(Math.ceil(bin.rows / deps.budget.maxRows), Math.ceil(bin.bytes / deps.budget.maxBytes));
    }
    const queries = todo.length + parts;
    totalQueries += queries;
    rows.push([table, windows.length, windows.length - todo.length, todo.length, rowsToDo, parts, queries]);
  }
  io.stdout.write(`${renderTable(rows)}\n\ndry run: ${totalQueries} queries would run (plus one finer histogram per minute over the part budget); nothing was exported\n`);
  return 0;
}

export async function backfillCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("backfill", SUMMARY, BACKFILL_FLAGS));
    return 0;
  }
  const flags = parseFlags(argv, BACKFILL_FLAGS);
  const tables = tablesFlag(flags, "tables");
  const nowMs = io.now();
  const range = rangeFlags(flags, nowMs);
  const windowMs = windowFlag(flags);
  const concurrency = integerFlag(flags, "concurrency", 1, 64) ?? 4;
  const names = [containerFlag(flags, "container"), containerFlag(flags, "state-container")];
  const prefix = stringFlag(flags, "prefix") ?? "";
  if (!isObjectPrefix(prefix)) throw new CliError(`--prefix must be empty or /-separated segments of letters, digits and . _ = - (no "." or ".."), got ${JSON.stringify(prefix)}`);
  const account = openAccount(flags, io);
  const containers: ContainerClient[] = names.map((name) => account.getContainerClient(name));
  const [dataContainer, stateContainer] = containers as [ContainerClient, ContainerClient];
  const state = new BlobObjectStore(stateContainer);
  const deps = cliExportDependencies(flags, io, { data: new BlobObjectStore(dataContainer), state, prefix });
  if (flags["dry-run"] === true) return dryRun(deps, state, tables, range, windowMs, io);
  await Promise.all(containers.map((c) => c.createIfNotExists()));
  const tasks: WindowTask[] = tables.flatMap((table) => splitRange(range, windowMs).map((window) => ({ table, window })));
  const started = Date.now();
  const result = await runWindows(deps, tasks, { runId: runIdFor("bf-cli", nowMs), reason: "backfill", force: flags.force === true, concurrency, signal: io.signal }, io.stderr);
  io.stdout.write(`${summaryTable(result.summary)}\n\n${result.done} of ${result.total} windows in ${formatSeconds((Date.now() - started) / 1000)}\n`);
  return reportEnd(result, io.stdout, io.stderr);
}
