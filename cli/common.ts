import { readFileSync } from "node:fs";
import { errorCode } from "./sanitize/output.js";
import { isContainerName } from "../shared/core/identifiers.js";
import { jsonLogger } from "../shared/core/logger.js";
import type { Logger } from "../shared/core/ports.js";
import { describeRange, floorTo, MINUTE_MS, type TimeRange } from "../shared/core/time.js";
import { completeUntil } from "../shared/engine/windows.js";
import { loadAzureExportSettings, type StorageAccess } from "../shared/settings/azure.js";
import type { Environment } from "../shared/settings/env.js";
import { SETTINGS } from "../shared/settings/spec.js";
import { isLoopbackHttp } from "../shared/sources/log-analytics/clients.js";
import { createAzureExport, type AzureExport } from "../shared/wiring/azure.js";
import { stringFlag, type FlagSpec, type ParsedFlags } from "./args.js";
import { CliError } from "./errors.js";
import type { CommandIO } from "./io.js";
import { flagNamesOf, inFlagTerms, settingsFromFlags, type FlagSettings } from "./settings-flags.js";
import { parseInstant } from "./time.js";

/**
 * Flags every Azure command that queries a workspace shares. Each gives the setting the deployed
 * functions read (named in its description), so a flag left out falls back to the same environment
 * variable and then to the same default: the CLI exports exactly as the deployment does.
 */
export const QUERY_FLAGS: readonly FlagSpec[] = [
  { name: "workspace", description: "Log Analytics workspace id (GUID; default: $LOGEXPORT_WORKSPACE_ID)" },
  { name: "start", required: true, description: 'start of the range (ISO 8601, "now", "2 hours ago", "-3d"); widened to the start of its window' },
  { name: "end", default: "now", description: "end of the range, exclusive; widened to the end of its window, and never past now − ingestion delay" },
  { name: "endpoint", description: "query endpoint incl. /v1 (default: $AZURE_LOGS_ENDPOINT or the public cloud)" },
  {
    name: "format",
    description: "file format: parquet (typed) or jsonl.gz (default: $LOGEXPORT_FORMAT or parquet; use the deployment's when writing into its containers)",
  },
  { name: "window-minutes", description: "window size; each window gets its own files and manifest (default: $LOGEXPORT_WINDOW_MINUTES or 60)" },
  {
    name: "ingestion-delay-minutes",
    description: "windows ending later than now − this are left for later (default: $LOGEXPORT_INGESTION_DELAY_MINUTES or 20)",
  },
  { name: "max-rows", description: "row budget per part query (default: $LOGEXPORT_PART_MAX_ROWS or 200000)" },
  { name: "max-bytes", description: "estimated-bytes budget per part query (default: $LOGEXPORT_PART_MAX_BYTES or 33554432)" },
  { name: "part-attempts", description: "tries per part query (default: $LOGEXPORT_PART_ATTEMPTS or 3)" },
  { name: "retry-base-ms", description: "backoff before a part's second try, doubled per try with jitter (default: $LOGEXPORT_RETRY_BASE_MS or 1000)" },
  { name: "retry-max-ms", description: "longest backoff between tries (default: $LOGEXPORT_RETRY_MAX_MS or 30000)" },
  { name: "concurrency", default: "4", description: "windows exported at once" },
  { name: "force", boolean: true, description: "re-export windows that already have a complete manifest" },
  {
    name: "allow-shrink",
    boolean: true,
    description: "a re-export may archive fewer rows than the manifest it replaces (the source lost rows); refused otherwise",
  },
  { name: "sanitizer-config", description: "sanitizer config file or inline JSON/YAML (default: $LOGEXPORT_SANITIZER_CONFIG; the built-in rules)" },
  { name: "no-sanitize", boolean: true, description: "write rows unsanitized (default: sanitized as the deployment does; LOGEXPORT_HMAC_KEY keys pseudonyms)" },
  { name: "verbose", boolean: true, description: "print structured logs to stderr" },
];

/** Flags naming the deployment's storage account and containers. */
export const ACCOUNT_FLAGS: readonly FlagSpec[] = [
  {
    name: "connection-string-file",
    description: "a file holding the storage connection string (default: $AZURE_STORAGE_CONNECTION_STRING; never on the command line)",
  },
  { name: "connection-string", description: "refused: a connection string on the command line shows in process listings (use the variable or the file)" },
  { name: "account-url", description: "https://<account>.blob.core.windows.net, used with your Azure login when no connection string is given" },
  { name: "state-container", description: "container of manifests, ledger and runs (default: $LOGEXPORT_STATE_CONTAINER or log-export-state)" },
];

/** Setting → the flag that gives it, for settings errors in command-line words. */
const FLAG_OF_SETTING: FlagSettings = [
  ["workspace", SETTINGS.workspaceId.name],
  ["endpoint", SETTINGS.logsEndpoint.name],
  ["window-minutes", SETTINGS.windowMinutes.name],
  ["format", SETTINGS.format.name],
  ["ingestion-delay-minutes", SETTINGS.ingestionDelayMinutes.name],
  ["max-rows", SETTINGS.partMaxRows.name],
  ["max-bytes", SETTINGS.partMaxBytes.name],
  ["part-attempts", SETTINGS.partAttempts.name],
  ["retry-base-ms", SETTINGS.retryBaseMs.name],
  ["retry-max-ms", SETTINGS.retryMaxMs.name],
  ["sanitizer-config", SETTINGS.sanitizerConfig.name],
  ["container", SETTINGS.container.name],
  ["state-container", SETTINGS.stateContainer.name],
  ["prefix", SETTINGS.prefix.name],
];

/** Where a command writes: storage it names by flags, and whether state lives beside the data (`--out`). */
export interface StorageTarget {
  readonly storage: StorageAccess;
  readonly stateInDataContainer: boolean;
  /** Settings the target itself gives (container and prefix of an --out URL). */
  readonly env?: Environment;
}

/**
 * The Azure application layer for a command: its flags over the user's environment, read by the
 * deployment's own settings loader (same checks, errors naming the flags), built by the wiring.
 */
export function azureExportFromFlags(flags: ParsedFlags, io: CommandIO, tablesFlag: string, target: StorageTarget): AzureExport {
  // An empty value would read as "not set" and silently fall back to the default: refused instead.
  const empty = FLAG_OF_SETTING.find(([flag]) => stringFlag(flags, flag)?.trim() === "");
  if (empty !== undefined) throw new CliError(`--${empty[0]} needs a value`);
  const env: Environment = {
    ...io.env,
    ...settingsFromFlags(flags, FLAG_OF_SETTING),
    ...target.env,
    [SETTINGS.tables.name]: tableList(stringFlag(flags, tablesFlag) ?? "", tablesFlag),
    ...(flags["no-sanitize"] === true ? { [SETTINGS.sanitize.name]: "off" } : {}),
  };
  const names = flagNamesOf([...FLAG_OF_SETTING, [tablesFlag, SETTINGS.tables.name]]);
  return inFlagTerms(names, () =>
    createAzureExport(
      loadAzureExportSettings(env, { storage: target.storage, stateInDataContainer: target.stateInDataContainer }),
      undefined,
      {},
      { sharedQuerySlots: false },
    ),
  );
}

/**
 * `--tables A,B` as given, or `--tables @file`: one table a line (commas work too), blank lines and `#` comments
 * ignored, as seed 000 loaded its table list from a file.
 */
function tableList(value: string, flag: string): string {
  if (!value.startsWith("@")) return value;
  const file = value.slice(1);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`--${flag} @${file}: cannot read it (${errorCode(error)})`);
  }
  const tables = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "")
    .flatMap((line) => line.split(",").map((t) => t.trim()));
  if (tables.length === 0) throw new CliError(`--${flag} @${file} lists no table`);
  return tables.join(",");
}

/**
 * $AZURE_STORAGE_CONNECTION_STRING, or the file --connection-string-file names. Never a flag's value: a
 * command line shows in process listings and shell history, with the account key in it.
 */
export function connectionStringOf(flags: ParsedFlags, io: CommandIO): string | undefined {
  if (flags["connection-string"] !== undefined) {
    throw new CliError(
      "--connection-string is not taken: a value on the command line shows in process listings and shell history; set AZURE_STORAGE_CONNECTION_STRING or give --connection-string-file <path>",
    );
  }
  const file = stringFlag(flags, "connection-string-file");
  if (file === undefined) return io.env.AZURE_STORAGE_CONNECTION_STRING;
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new CliError(`--connection-string-file ${file}: cannot read it (${errorCode(error)})`);
  }
  if (text === "") throw new CliError(`--connection-string-file ${file} is empty`);
  return text;
}

/** The storage account a command names: a connection string (flag or environment) or an account URL with your Azure login. */
export function accountStorage(flags: ParsedFlags, io: CommandIO): StorageAccess {
  const connectionString = connectionStringOf(flags, io);
  if (connectionString !== undefined) return { kind: "connectionString", connectionString };
  const accountUrl = stringFlag(flags, "account-url");
  if (accountUrl === undefined) throw new CliError("set AZURE_STORAGE_CONNECTION_STRING (or give --connection-string-file), or give --account-url");
  if (!/^https:\/\/[^/]+\/?$/.test(accountUrl))
    throw new CliError(`--account-url must look like https://<account>.blob.core.windows.net, got ${JSON.stringify(accountUrl)}`);
  return { kind: "identity", blobServiceUri: accountUrl, queueServiceUri: undefined, clientId: undefined };
}

/**
 * `--out`: a directory, or a Blob container URL with an optional path prefix (state under `_logexport/` in the same
 * container). A container SAS in the URL's query is the credential then; messages show the URL without it.
 */
export function outputTarget(out: string, flags: ParsedFlags, io: CommandIO): StorageTarget {
  if (!/^https?:\/\//i.test(out)) return { storage: { kind: "directory", path: out }, stateInDataContainer: true };
  if (!URL.canParse(out)) throw new CliError("--out is not a valid URL (expected https://<account>.blob.core.windows.net/<container>[/<prefix>][?<SAS>])");
  const url = new URL(out);
  const shown = `${url.origin}${url.pathname}`;
  // Azurite and other loopback emulators put the account in the path: /<account>/<container>/<prefix>.
  const segments = url.pathname.split("/").filter((s) => s !== "");
  const account = isLoopbackHttp(url.href) ? segments.slice(0, 1) : [];
  const [container, ...rest] = segments.slice(account.length);
  if (container === undefined)
    throw new CliError(`--out ${shown} names no container (expected https://<account>.blob.core.windows.net/<container>[/<prefix>])`);
  if (!isContainerName(container))
    throw new CliError(`--out ${shown}: the container ${JSON.stringify(container)} must be 3-63 lowercase letters, digits and single hyphens`);
  const env = { [SETTINGS.container.name]: container, [SETTINGS.prefix.name]: rest.join("/") };
  if (url.searchParams.has("sig")) {
    return { storage: { kind: "sas", blobServiceUri: [url.origin, ...account].join("/"), sas: url.search.slice(1) }, stateInDataContainer: true, env };
  }
  if (url.search !== "") throw new CliError(`--out ${shown}: the URL has a query but no SAS signature (sig=…)`);
  const connectionString = connectionStringOf(flags, io);
  if (connectionString !== undefined) return { storage: { kind: "connectionString", connectionString }, stateInDataContainer: true, env };
  if (url.protocol !== "https:")
    throw new CliError(`--out ${shown}: a plain-http blob URL needs a SAS token or AZURE_STORAGE_CONNECTION_STRING (or --connection-string-file)`);
  return { storage: { kind: "identity", blobServiceUri: url.origin, queueServiceUri: undefined, clientId: undefined }, stateInDataContainer: true, env };
}

/** What a command exports: --start/--end widened to whole windows, the end capped at now − ingestion delay. */
export interface AlignedRange {
  readonly requested: TimeRange;
  readonly range: TimeRange;
  /** Why the exported range differs from the requested one, for the summary; empty when it does not. */
  readonly notes: readonly string[];
}

export function alignedRange(flags: ParsedFlags, nowMs: number, exporter: AzureExport): AlignedRange {
  const requested = {
    startMs: parseInstant(stringFlag(flags, "start") ?? "", nowMs, "--start"),
    endMs: parseInstant(stringFlag(flags, "end") ?? "", nowMs, "--end"),
  };
  if (requested.endMs <= requested.startMs) throw new CliError(`--start must be before --end, got ${describeRange(requested)}`);
  const { windowMs, ingestionDelayMs } = exporter.settings;
  const cap = completeUntil(nowMs, windowMs, ingestionDelayMs);
  const widenedEnd = floorTo(requested.endMs + windowMs - 1, windowMs);
  const range = { startMs: floorTo(requested.startMs, windowMs), endMs: Math.min(widenedEnd, cap) };
  const notes: string[] = [];
  if (range.startMs !== requested.startMs || widenedEnd !== requested.endMs) notes.push(`widened to whole ${windowMs / MINUTE_MS}-minute windows`);
  if (widenedEnd > cap)
    notes.push(`ended at ${new Date(cap).toISOString()}, the last window complete ${ingestionDelayMs / MINUTE_MS} minutes (the ingestion delay) before now`);
  if (range.endMs <= range.startMs) {
    throw new CliError(
      `nothing to export yet: ${describeRange(requested)} has no window that ended ${ingestionDelayMs / MINUTE_MS} minutes (the ingestion delay, --ingestion-delay-minutes) before now`,
    );
  }
  return { requested, range, notes };
}

/** One line for the summary: the range exported and how the rows were treated. */
export function rangeSummary(aligned: AlignedRange, exporter: AzureExport): string {
  const how = exporter.settings.sanitizer.enabled ? "sanitized" : "NOT sanitized (--no-sanitize or LOGEXPORT_SANITIZE=off)";
  const range = `exported range ${describeRange(aligned.range)}${aligned.notes.length === 0 ? "" : ` (requested ${describeRange(aligned.requested)}: ${aligned.notes.join("; ")})`}`;
  return `${range}\nrows were ${how}`;
}

/** --verbose: structured lines on stderr, each with its time first (`{"time":"2026-…Z","level":…}`). */
export function cliLogger(flags: ParsedFlags, io: CommandIO): Logger {
  return jsonLogger(
    flags.verbose === true
      ? (_level, line) => io.stderr.write(`{"time":${JSON.stringify(new Date(io.now()).toISOString())},${line.slice(1)}\n`)
      : () => undefined,
  );
}

export function runIdFor(command: string, nowMs: number): string {
  return `${command}-${new Date(nowMs).toISOString().replace(/[-:.]/g, "")}`;
}
