import { splitRange } from "../../shared/engine/windows.js";
import { parseFlags, stringFlag, integerFlag, usage, type FlagSpec } from "../args.js";
import { cliExportDependencies, QUERY_FLAGS, rangeFlags, runIdFor, tablesFlag, windowFlag, workspaceFlag } from "../common.js";
import type { CommandIO } from "../io.js";
import { openOutput } from "../output.js";
import { formatSeconds } from "../progress.js";
import { reportEnd, runWindows, summaryTable } from "../run-windows.js";

export const EXPORT_FLAGS: readonly FlagSpec[] = [
  { name: "table", required: true, description: "table name, or several separated by commas" },
  ...QUERY_FLAGS,
  { name: "out", required: true, description: "a directory, or https://<account>.blob.core.windows.net/<container>[/<prefix>]" },
  { name: "connection-string", description: "storage connection string for --out (default: $AZURE_STORAGE_CONNECTION_STRING, else Azure login)" },
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY = "Exports Log Analytics rows to gzip JSON Lines, window by window, with a manifest and ledger per window; the same engine the Azure worker runs.";

export async function exportCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("export", SUMMARY, EXPORT_FLAGS));
    return 0;
  }
  const flags = parseFlags(argv, EXPORT_FLAGS);
  workspaceFlag(flags);
  const tables = tablesFlag(flags, "table");
  const nowMs = io.now();
  const range = rangeFlags(flags, nowMs);
  const windows = splitRange(range, windowFlag(flags));
  const concurrency = integerFlag(flags, "concurrency", 1, 64) ?? 4;
  const output = openOutput(stringFlag(flags, "out") ?? "", stringFlag(flags, "connection-string") ?? io.env.AZURE_STORAGE_CONNECTION_STRING);
  // Every flag is checked before the container is created: a bad flag leaves nothing behind.
  const deps = cliExportDependencies(flags, io, output);
  await output.prepare();
  const started = Date.now();
  const tasks = tables.flatMap((table) => windows.map((window) => ({ table, window })));
  const result = await runWindows(deps, tasks, { runId: runIdFor("cli", nowMs), reason: "manual", force: flags.force === true, concurrency, signal: io.signal }, io.stderr);
  io.stdout.write(`${summaryTable(result.summary)}\n\n`);
  io.stdout.write(`exported to ${output.data.location}${output.prefix === "" ? "" : `/${output.prefix}`} in ${formatSeconds((Date.now() - started) / 1000)}; manifests and ledger under ${output.state.location}\n`);
  return reportEnd(result, io.stdout, io.stderr);
}
