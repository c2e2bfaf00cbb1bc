import { DefaultAzureCredential } from "@azure/identity";
import { assertTableName } from "../../shared/core/identifiers.js";
import { jsonLogger } from "../../shared/core/logger.js";
import { describeRange, MINUTE_MS } from "../../shared/core/time.js";
import { exportWindow, type ExportDependencies } from "../../shared/engine/export-window.js";
import { splitRange, assertWindowSize } from "../../shared/engine/windows.js";
import { JsonLinesGzipEncoder } from "../../shared/formats/jsonl-gzip/encoder.js";
import { IdentitySanitizer } from "../../shared/sanitize/identity.js";
import { isLoopbackHttp, PUBLIC_LOGS_ENDPOINT } from "../../shared/sources/log-analytics/clients.js";
import { LogAnalyticsSource } from "../../shared/sources/log-analytics/source.js";
import { integerFlag, parseFlags, stringFlag, usage, type FlagSpec } from "../args.js";
import { CliError } from "../errors.js";
import { openOutput } from "../output.js";
import { formatSeconds, ProgressBar } from "../progress.js";
import { parseInstant } from "../time.js";
import { formatBytes, renderTable } from "../table.js";
import type { CommandIO } from "../io.js";

export const EXPORT_FLAGS: readonly FlagSpec[] = [
  { name: "workspace", required: true, description: "Log Analytics workspace id (GUID)" },
  { name: "table", required: true, description: "table name, or several separated by commas" },
  { name: "start", required: true, description: 'start of the range (ISO 8601, "now", "2 hours ago", "-3d")' },
  { name: "end", default: "now", description: "end of the range, exclusive" },
  { name: "out", required: true, description: "a directory, or https://<account>.blob.core.windows.net/<container>[/<prefix>]" },
  { name: "connection-string", description: "storage connection string for --out (default: $AZURE_STORAGE_CONNECTION_STRING, else Azure login)" },
  { name: "endpoint", description: "query endpoint incl. /v1 (default: $AZURE_LOGS_ENDPOINT or the public cloud)" },
  { name: "window-minutes", default: "60", description: "window size; each window gets its own files and manifest" },
  { name: "max-rows", default: "200000", description: "row budget per part query" },
  { name: "max-bytes", default: "33554432", description: "estimated-bytes budget per part query" },
  { name: "force", boolean: true, description: "re-export windows that already have a complete manifest" },
  { name: "verbose", boolean: true, description: "print structured logs to stderr" },
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY = "Exports Log Analytics rows to gzip JSON Lines, window by window, with a manifest and ledger per window; the same engine the Azure worker runs.";

interface TableSummary {
  windows: number;
  skipped: number;
  expected: number;
  exported: number;
  files: number;
  bytes: number;
  ms: number;
}

export async function exportCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("export", SUMMARY, EXPORT_FLAGS));
    return 0;
  }
  const flags = parseFlags(argv, EXPORT_FLAGS);
  const workspaceId = stringFlag(flags, "workspace") ?? "";
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(workspaceId)) throw new CliError(`--workspace must be a workspace GUID, got ${JSON.stringify(workspaceId)}`);
  const tables = (stringFlag(flags, "table") ?? "").split(",").map((t) => assertTableName(t.trim(), "--table"));
  const nowMs = io.now();
  const range = { startMs: parseInstantFlag(flags, "start", nowMs), endMs: parseInstantFlag(flags, "end", nowMs) };
  if (range.endMs <= range.startMs) throw new CliError(`--start must be before --end, got ${describeRange(range)}`);
  const windowMs = assertWindowSize((integerFlag(flags, "window-minutes", 1, 1440) ?? 60) * MINUTE_MS, "--window-minutes");
  const endpoint = stringFlag(flags, "endpoint") ?? io.env.AZURE_LOGS_ENDPOINT ?? PUBLIC_LOGS_ENDPOINT;
  const output = openOutput(stringFlag(flags, "out") ?? "", stringFlag(flags, "connection-string") ?? io.env.AZURE_STORAGE_CONNECTION_STRING);
  await output.prepare();

  const deps: ExportDependencies = {
    source: new LogAnalyticsSource({ endpoint, workspaceId, credential: isLoopbackHttp(endpoint) ? undefined : new DefaultAzureCredential(), queryTimeoutSeconds: 600, readIdleSeconds: 120 }),
    data: output.data,
    state: output.state,
    prefix: output.prefix,
    encoder: new JsonLinesGzipEncoder(),
    createSanitizer: () => new IdentitySanitizer(),
    budget: { maxRows: integerFlag(flags, "max-rows", 1, 500_000) ?? 200_000, maxBytes: integerFlag(flags, "max-bytes", 1024, 64_000_000) ?? 33_554_432 },
    partRetry: { attempts: 3, baseDelayMs: 1_000 },
    clock: { now: () => Date.now() },
    logger: jsonLogger(flags.verbose === true ? (_level, line) => io.stderr.write(`${line}\n`) : () => undefined),
  };

  const windows = splitRange(range, windowMs);
  const jobs = tables.flatMap((table) => windows.map((window) => ({ table, window })));
  const runId = `cli-${new Date(nowMs).toISOString().replace(/[-:.]/g, "")}`;
  const bar = new ProgressBar(io.stderr, jobs.length, "windows");
  const summary = new Map<string, TableSummary>(tables.map((t) => [t, { windows: 0, skipped: 0, expected: 0, exported: 0, files: 0, bytes: 0, ms: 0 }]));
  const started = Date.now();
  let done = 0;
  let rowsTotal = 0;
  for (const { table, window } of jobs) {
    const label = `${table} ${new Date(window.startMs).toISOString().slice(0, 16)}Z`;
    let expected = 0;
    const windowStarted = Date.now();
    const outcome = await exportWindow(deps, { table, window, runId, reason: "manual", force: flags.force === true }, {
      onProgress: (event) => {
        if (event.kind === "planned") expected = event.expectedRows;
        else rowsTotal += event.rows;
        bar.update(done, `${label} ${event.kind === "planned" ? `0/${expected}` : `${event.index} parts`} rows ${rowsTotal}`);
      },
    });
    done += 1;
    const s = summary.get(table);
    if (s !== undefined) {
      s.windows += 1;
      if (outcome.status === "skipped") s.skipped += 1;
      s.expected += outcome.manifest.expectedRows;
      s.exported += outcome.manifest.exportedRows;
      s.files += outcome.manifest.parts.length;
      s.bytes += outcome.manifest.bytes;
      s.ms += Date.now() - windowStarted;
    }
    bar.update(done, `${label} ${outcome.status} rows ${rowsTotal}`, true);
  }
  bar.finish();
  io.stdout.write(`${renderTable([
    ["table", "windows", "skipped", "rows expected", "rows exported", "files", "bytes", "seconds"],
    ...[...summary.entries()].map(([table, s]) => [table, s.windows, s.skipped, s.expected, s.exported, s.files, formatBytes(s.bytes), Number((s.ms / 1000).toFixed(1))]),
  ])}\n\nexported to ${output.data.location}${output.prefix === "" ? "" : `/${output.prefix}`} in ${formatSeconds((Date.now() - started) / 1000)}; manifests and ledger under ${output.state.location}\n`);
  return 0;
}

function parseInstantFlag(flags: Readonly<Record<string, string | boolean | undefined>>, name: string, nowMs: number): number {
  return parseInstant(stringFlag(flags, name) ?? "", nowMs, `--${name}`);
}
