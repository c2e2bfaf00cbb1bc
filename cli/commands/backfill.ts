import { splitRange } from "../../shared/engine/windows.js";
import { integerFlag, parseFlags, usage, type FlagSpec } from "../args.js";
import { accountStorage, ACCOUNT_FLAGS, alignedRange, azureExportFromFlags, cliLogger, QUERY_FLAGS, rangeSummary, runIdFor } from "../common.js";
import { DRY_RUN_FLAGS, printDryRun } from "../dry-run.js";
import type { CommandIO } from "../io.js";
import { formatSeconds } from "../progress.js";
import { reportEnd, runWindows, summaryTable, type WindowTask } from "../run-windows.js";

export const BACKFILL_FLAGS: readonly FlagSpec[] = [
  { name: "tables", required: true, description: "table names separated by commas, or @file with one table a line (# comments)" },
  ...QUERY_FLAGS,
  ...ACCOUNT_FLAGS,
  { name: "container", description: "container of the exported data; {table} in it gives each table its own (default: $LOGEXPORT_CONTAINER or log-exports)" },
  { name: "prefix", description: "path prefix inside the data container (default: $LOGEXPORT_PREFIX or none)" },
  ...DRY_RUN_FLAGS,
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY =
  "Exports a range into the deployment's containers from this machine, as POST /api/backfill does through the queue: the same windows, names, sanitizer and manifests. Interrupted and run again, it continues where it stopped.";

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
  if (flags["dry-run"] === true) return printDryRun(exporter, aligned.range, flags, io);
  await exporter.ensureStorage({ queue: false });
  const windows = splitRange(aligned.range, exporter.settings.windowMs);
  const tasks: WindowTask[] = exporter.settings.tables.flatMap((table) => windows.map((window) => ({ table, window })));
  const started = Date.now();
  const result = await runWindows(
    exporter,
    cliLogger(flags, io),
    tasks,
    {
      runId: runIdFor("bf-cli", nowMs),
      reason: "backfill",
      force: flags.force === true,
      allowShrink: flags["allow-shrink"] === true,
      concurrency,
      signal: io.signal,
    },
    io.stderr,
  );
  io.stdout.write(
    `${summaryTable(result.summary)}\n\n${result.done} of ${result.total} windows in ${formatSeconds((Date.now() - started) / 1000)}\n${rangeSummary(aligned, exporter)}\n`,
  );
  return reportEnd(result, io.stdout, io.stderr);
}
