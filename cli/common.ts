import { DefaultAzureCredential } from "@azure/identity";
import { assertTableName, isWorkspaceId } from "../shared/core/identifiers.js";
import { jsonLogger } from "../shared/core/logger.js";
import type { ObjectStore, StateStore } from "../shared/core/ports.js";
import { describeRange, MINUTE_MS, type TimeRange } from "../shared/core/time.js";
import type { ExportDependencies } from "../shared/engine/export-window.js";
import { assertWindowSize } from "../shared/engine/windows.js";
import { JsonLinesGzipEncoder } from "../shared/formats/jsonl-gzip/encoder.js";
import { IdentitySanitizer } from "../shared/sanitize/identity.js";
import { isLoopbackHttp, PUBLIC_LOGS_ENDPOINT } from "../shared/sources/log-analytics/clients.js";
import { LogAnalyticsSource } from "../shared/sources/log-analytics/source.js";
import { integerFlag, stringFlag, type FlagSpec, type ParsedFlags } from "./args.js";
import { CliError } from "./errors.js";
import type { CommandIO } from "./io.js";
import { parseInstant } from "./time.js";

/** Flags every command that queries a workspace shares. */
export const QUERY_FLAGS: readonly FlagSpec[] = [
  { name: "workspace", required: true, description: "Log Analytics workspace id (GUID)" },
  { name: "start", required: true, description: 'start of the range (ISO 8601, "now", "2 hours ago", "-3d")' },
  { name: "end", default: "now", description: "end of the range, exclusive" },
  { name: "endpoint", description: "query endpoint incl. /v1 (default: $AZURE_LOGS_ENDPOINT or the public cloud)" },
  { name: "window-minutes", default: "60", description: "window size; each window gets its own files and manifest" },
  { name: "max-rows", default: "200000", description: "row budget per part query" },
  { name: "max-bytes", default: "33554432", description: "estimated-bytes budget per part query" },
  { name: "concurrency", default: "4", description: "windows exported at once" },
  { name: "force", boolean: true, description: "re-export windows that already have a complete manifest" },
  { name: "verbose", boolean: true, description: "print structured logs to stderr" },
];

export function tablesFlag(flags: ParsedFlags, name: string): string[] {
  return (stringFlag(flags, name) ?? "").split(",").map((t) => assertTableName(t.trim(), `--${name}`));
}

export function workspaceFlag(flags: ParsedFlags): string {
  const workspaceId = stringFlag(flags, "workspace") ?? "";
  if (!isWorkspaceId(workspaceId)) throw new CliError(`--workspace must be a workspace GUID, got ${JSON.stringify(workspaceId)}`);
  return workspaceId;
}

export function rangeFlags(flags: ParsedFlags, nowMs: number): TimeRange {
  const range = { startMs: parseInstant(stringFlag(flags, "start") ?? "", nowMs, "--start"), endMs: parseInstant(stringFlag(flags, "end") ?? "", nowMs, "--end") };
  if (range.endMs <= range.startMs) throw new CliError(`--start must be before --end, got ${describeRange(range)}`);
  return range;
}

export function windowFlag(flags: ParsedFlags): number {
  return assertWindowSize((integerFlag(flags, "window-minutes", 1, 1440) ?? 60) * MINUTE_MS, "--window-minutes");
}

export function runIdFor(command: string, nowMs: number): string {
  return `${command}-${new Date(nowMs).toISOString().replace(/[-:.]/g, "")}`;
}

/** The export engine's dependencies for a laptop run: the query endpoint's credential rules, the given stores. */
export function cliExportDependencies(flags: ParsedFlags, io: CommandIO, stores: { data: ObjectStore; state: StateStore; prefix: string }): ExportDependencies {
  const endpoint = stringFlag(flags, "endpoint") ?? io.env.AZURE_LOGS_ENDPOINT ?? PUBLIC_LOGS_ENDPOINT;
  if (!URL.canParse(endpoint) || !["http:", "https:"].includes(new URL(endpoint).protocol)) {
    throw new CliError(`--endpoint (or AZURE_LOGS_ENDPOINT) must be an http(s) URL such as https://api.loganalytics.io/v1, got ${JSON.stringify(endpoint)}`);
  }
  return {
    source: new LogAnalyticsSource({ endpoint, workspaceId: workspaceFlag(flags), credential: isLoopbackHttp(endpoint) ? undefined : new DefaultAzureCredential(), queryTimeoutSeconds: 600, readIdleSeconds: 120 }),
    ...stores,
    encoder: new JsonLinesGzipEncoder(),
    createSanitizer: () => new IdentitySanitizer(),
    budget: { maxRows: integerFlag(flags, "max-rows", 1, 500_000) ?? 200_000, maxBytes: integerFlag(flags, "max-bytes", 1024, 64_000_000) ?? 33_554_432 },
    partRetry: { attempts: 3, baseDelayMs: 1_000 },
    clock: { now: () => Date.now() },
    logger: jsonLogger(flags.verbose === true ? (_level, line) => io.stderr.write(`${line}\n`) : () => undefined),
  };
}
