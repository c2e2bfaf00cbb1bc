import { HOUR_MS } from "../../shared/core/time.js";
import { readCoverage } from "../../shared/engine/status.js";
import { BlobObjectStore } from "../../shared/sinks/blob/store.js";
import { ACCOUNT_FLAGS, containerFlag, openAccount } from "../account.js";
import { parseFlags, usage, type FlagSpec } from "../args.js";
import { rangeFlags, tablesFlag, windowFlag } from "../common.js";
import { coverageTable } from "../coverage-table.js";
import type { CommandIO } from "../io.js";

export const STATUS_FLAGS: readonly FlagSpec[] = [
  { name: "tables", required: true, description: "table names separated by commas" },
  { name: "start", default: "-7d", description: "start of the range (ISO 8601 or relative)" },
  { name: "end", default: "now", description: "end of the range, exclusive" },
  { name: "window-minutes", default: "60", description: "window size the exports used" },
  ...ACCOUNT_FLAGS,
  { name: "json", boolean: true, description: "print the full coverage as JSON" },
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY = "Shows which windows are exported, in progress, failed or missing, from the manifests and the ledger.";

export async function statusCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("status", SUMMARY, STATUS_FLAGS));
    return 0;
  }
  const flags = parseFlags(argv, STATUS_FLAGS);
  const tables = tablesFlag(flags, "tables");
  const nowMs = io.now();
  const windowMs = windowFlag(flags);
  const range = rangeFlags(flags, nowMs);
  const aligned = { startMs: Math.floor(range.startMs / windowMs) * windowMs, endMs: Math.floor(range.endMs / windowMs) * windowMs };
  const state = new BlobObjectStore(openAccount(flags, io).getContainerClient(containerFlag(flags, "state-container")));
  const coverage = await readCoverage(state, { tables, range: aligned, windowMs, nowMs, inProgressHorizonMs: 24 * HOUR_MS });
  io.stdout.write(flags.json === true ? `${JSON.stringify({ start: new Date(aligned.startMs).toISOString(), end: new Date(aligned.endMs).toISOString(), tables: coverage }, null, 2)}\n` : `${coverageTable(coverage)}\n`);
  return 0;
}
