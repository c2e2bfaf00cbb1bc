import type { TimeRange } from "../../shared/core/time.js";
import { splitRange } from "../../shared/engine/windows.js";
import type { AzureExport } from "../../shared/wiring/azure.js";
import { integerFlag, parseFlags, usage, type FlagSpec } from "../args.js";
import { accountStorage, ACCOUNT_FLAGS, alignedRange, azureExportFromFlags, cliLogger, QUERY_FLAGS, rangeSummary, runIdFor } from "../common.js";
import type { CommandIO } from "../io.js";
import { formatSeconds } from "../progress.js";
import { reportEnd, runWindows, summaryTable, type WindowTask } from "../run-windows.js";
import { renderTable } from "../table.js";

export const BACKFILL_FLAGS: readonly FlagSpec[] = [
  { name: "tables", required: true, description: "table names separated by commas" },
  ...QUERY_FLAGS,
  ...ACCOUNT_FLAGS,
  { name: "container", description: "container of the exported data (default: $LOGEXPORT_CONTAINER or log-exports)" },
  { name: "prefix", description: "path prefix inside the data container (default: $LOGEXPORT_PREFIX or none)" },
  { name: "dry-run", boolean: true, description: "print the plan and the number of queries, export nothing" },
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY = "Exports a range into the deployment's containers from this machine, as POST /api/backfill does through the queue: the same windows, names, sanitizer and manifests. Interrupted and run again, it continues where it stopped.";

/** The plan without exporting: windows to do and the queries they need. */
async function dryRun(exporter: AzureExport, range: TimeRange, io: CommandIO): Promise<number> {
  const plans = await exporter.planBackfill(range, exporter.settings.windowMs);
  const rows: (string | number)[][] = [["table", "windows", "exported", "to export", "rows to export", "est. parts", "est. queries"], ...plans.map((p) => [p.table, p.windows, p.exported, p.toExport, p.rowsToExport, p.estimatedParts, p.estimatedQueries])];
  const total = plans.reduce((n, p) => n + p.estimatedQueries, 0);
  io.stdout.write(`${renderTable(rows)}\n\ndry run: ${total} queries would run (plus one finer histogram per minute over the part budget); nothing was exported\n`);
  return 0;
}

export async function backfillCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("backfill", SUMMARY, BACKFILL_FLAGS));
    return 0;
  }
  const flags = parseFlags(argv, BACKFILL_FLAGS);
  const nowMs = io.now();
  const concurrency = integerFlag(flags, "concurrency", 1, 64) ?? 4;
  const exporter = azureExportFromFlags(flags, io, "tables", { storage: accountStorage(flags, io), stateInDataContainer: false });
  const aligned = alignedRange(flags, nowMs, exporter);
  if (flags["dry-run"] === true) return dryRun(exporter, aligned.range, io);
  await exporter.ensureStorage({ queue: false });
  const windows = splitRange(aligned.range, exporter.settings.windowMs);
  const tasks: WindowTask[] = exporter.settings.tables.flatMap((table) => windows.map((window) => ({ table, window })));
  const started = Date.now();
  const result = await runWindows(exporter, cliLogger(flags, io), tasks, { runId: runIdFor("bf-cli", nowMs), reason: "backfill", force: flags.force === true, allowShrink: flags["allow-shrink"] === true, concurrency, signal: io.signal }, io.stderr);
  io.stdout.write(`${summaryTable(result.summary)}\n\n${result.done} of ${result.total} windows in ${formatSeconds((Date.now() - started) / 1000)}\n${rangeSummary(aligned, exporter)}\n`);
  return reportEnd(result, io.stdout, io.stderr);
}
