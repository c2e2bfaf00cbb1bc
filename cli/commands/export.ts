import { splitRange } from "../../shared/engine/windows.js";
import { integerFlag, parseFlags, stringFlag, usage, type FlagSpec } from "../args.js";
import { alignedRange, azureExportFromFlags, cliLogger, outputTarget, QUERY_FLAGS, rangeSummary, runIdFor } from "../common.js";
import { DRY_RUN_FLAGS, printDryRun } from "../dry-run.js";
import type { CommandIO } from "../io.js";
import { formatSeconds } from "../progress.js";
import { reportEnd, runWindows, summaryTable } from "../run-windows.js";

export const EXPORT_FLAGS: readonly FlagSpec[] = [
  { name: "table", required: true, description: "table name, several separated by commas, or @file with one table a line (# comments)" },
  ...QUERY_FLAGS,
  {
    name: "out",
    required: true,
    description:
      "a directory, or https://<account>.blob.core.windows.net/<container>[/<prefix>][?<container SAS>] (the token is used, never printed or stored)",
  },
  {
    name: "connection-string-file",
    description:
      "a file holding the storage connection string for --out (default: $AZURE_STORAGE_CONNECTION_STRING, else Azure login; never on the command line)",
  },
  { name: "connection-string", description: "refused: a connection string on the command line shows in process listings (use the variable or the file)" },
  ...DRY_RUN_FLAGS,
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY =
  "Exports Log Analytics rows to gzip JSON Lines, window by window, with a manifest and ledger per window; the same engine, sanitizer and names the Azure worker uses. Run again, it skips what is done.";

export async function exportCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("export", SUMMARY, EXPORT_FLAGS));
    return 0;
  }
  const flags = parseFlags(argv, EXPORT_FLAGS);
  const nowMs = io.now();
  const concurrency = integerFlag(flags, "concurrency", 1, 64) ?? 4;
  // Every flag is checked before anything is created: a bad flag leaves nothing behind.
  const exporter = azureExportFromFlags(flags, io, "table", outputTarget(stringFlag(flags, "out") ?? "", flags, io));
  const aligned = alignedRange(flags, nowMs, exporter);
  if (flags["dry-run"] === true) return printDryRun(exporter, aligned.range, flags, io);
  await exporter.ensureStorage({ queue: false });
  const started = Date.now();
  const windows = splitRange(aligned.range, exporter.settings.windowMs);
  const tasks = exporter.settings.tables.flatMap((table) => windows.map((window) => ({ table, window })));
  const result = await runWindows(
    exporter,
    cliLogger(flags, io),
    tasks,
    {
      runId: runIdFor("cli", nowMs),
      reason: "manual",
      force: flags.force === true,
      allowShrink: flags["allow-shrink"] === true,
      concurrency,
      signal: io.signal,
    },
    io.stderr,
  );
  io.stdout.write(`${summaryTable(result.summary)}\n\n`);
  io.stdout.write(
    `exported to ${exporter.location}${exporter.settings.prefix === "" ? "" : `/${exporter.settings.prefix}`} in ${formatSeconds((Date.now() - started) / 1000)}; manifests and ledger under ${exporter.state.location}\n${rangeSummary(aligned, exporter)}\n`,
  );
  return reportEnd(result, io.stdout, io.stderr);
}
