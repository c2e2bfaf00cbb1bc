import { basename, dirname, resolve } from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ConfigurationError } from "../../shared/core/errors.js";
import { jsonLogger } from "../../shared/core/logger.js";
import type { ObjectStore } from "../../shared/core/ports.js";
import { describeRange, type TimeRange } from "../../shared/core/time.js";
import { measureWindow, packParts } from "../../shared/engine/parts.js";
import type { Environment } from "../../shared/settings/env.js";
import { loadAwsExportSettings, type AwsExportSettings, type ExportKind } from "../../shared/settings/aws.js";
import { AWS_SETTINGS } from "../../shared/settings/aws-spec.js";
import { LocalObjectStore } from "../../shared/sinks/local/store.js";
import { S3ObjectStore } from "../../shared/sinks/s3/store.js";
import { cloudWatchSource, createAwsExport, exportDefinition, partBudget } from "../../shared/wiring/aws.js";
import { parseFlags, stringFlag, usage, type FlagSpec, type ParsedFlags } from "../args.js";
import { runIdFor } from "../common.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { formatSeconds, ProgressBar } from "../progress.js";
import { parseS3Url, S3_FLAGS, s3ClientFromFlags } from "../s3.js";
import { formatBytes, renderTable } from "../table.js";
import { parseInstant } from "../time.js";

/** The flags every CloudWatch export command shares: the seed's, then ours. */
export const CLOUDWATCH_EXPORT_FLAGS: readonly FlagSpec[] = [
  { name: "cloudwatch-group", required: true, description: "CloudWatch log group name (several separated by commas)" },
  { name: "cloudwatch-stream", description: "only this log stream" },
  { name: "start-time", required: true, description: 'start, ISO 8601 or relative ("1 hour ago", "15 minutes ago", "now")' },
  { name: "end-time", default: "now", description: "end, exclusive" },
  { name: "output-path", description: "a local .parquet file or s3://bucket/key.parquet (a manifest is written beside it); required unless --dry-run" },
  { name: "aws-region", default: "us-east-1", description: "AWS region" },
  ...S3_FLAGS,
];

const TAIL_FLAGS: readonly FlagSpec[] = [
  { name: "sanitize", boolean: true, description: "pass the string columns through the sanitizer (built-in rules; LOGEXPORT_HMAC_KEY for pseudonyms)" },
  { name: "sanitizer-config", description: "sanitizer config file (JSON or YAML), with --sanitize" },
  { name: "concurrency", default: "4", description: "Logs Insights queries in flight" },
  { name: "dry-run", boolean: true, description: "print the plan (parts, expected rows, bytes scanned, cost) and write nothing" },
  { name: "verbose", boolean: true, description: "structured logs on stderr" },
  { name: "help", boolean: true, description: "show this help" },
];

/** What differs between export-access-logs and export-content-logs. */
export interface CloudWatchExportCommand {
  readonly program: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  /** The export kind and the settings only this command's flags give. */
  settingsFromFlags(flags: ParsedFlags): { readonly kind: ExportKind; readonly env: Environment };
}

/** The settings the shared flags give. A command's own flag --x-y gives LOGEXPORT_X_Y (--filter-paths, --content-path-prefix, …). */
const FLAG_SETTINGS: ReadonlyArray<readonly [flag: string, setting: string]> = [
  ["cloudwatch-group", AWS_SETTINGS.logGroups.name],
  ["cloudwatch-stream", AWS_SETTINGS.logStream.name],
  ["concurrency", AWS_SETTINGS.queryConcurrency.name],
  ["sanitizer-config", AWS_SETTINGS.sanitizerConfig.name],
];

/** Setting name → `--flag`, for every setting this command's flags gave. */
function flagNames(command: CloudWatchExportCommand, ownEnv: Environment): ReadonlyMap<string, string> {
  const own = command.flags.map((f) => [f.name, `LOGEXPORT_${f.name.toUpperCase().replaceAll("-", "_")}`] as const).filter(([, setting]) => setting in ownEnv);
  return new Map([...FLAG_SETTINGS, ...own].map(([flag, setting]) => [setting, `--${flag}`]));
}

/** A settings error in the words of the command line: every setting a flag gave is named by its flag, the problems on one line. */
function inFlagTerms<T>(names: ReadonlyMap<string, string>, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    const message = error.message.replace(/\bLOGEXPORT_[A-Z0-9_]+\b/g, (name) => names.get(name) ?? name);
    throw new CliError(message.replace(/^invalid settings:\n\s+- /, "").replace(/\n\s+- /g, "; "));
  }
}

/** Logs Insights list price per GB scanned (us-east-1). */
const PRICE_PER_GB_SCANNED = 0.005;

function output(path: string, flags: ParsedFlags, region: string): { store: ObjectStore; name: string; shown: string } {
  const s3 = parseS3Url(path, "--output-path");
  if (s3 !== undefined) return { store: new S3ObjectStore(s3ClientFromFlags(flags, region), s3.bucket), name: s3.key, shown: path };
  const file = resolve(path);
  return { store: new LocalObjectStore(dirname(file)), name: basename(file), shown: file };
}

async function dryRun(settings: AwsExportSettings, kind: ExportKind, logs: CloudWatchLogsClient, range: TimeRange, io: CommandIO): Promise<number> {
  const source = cloudWatchSource(settings, logs, exportDefinition(settings, kind).filter);
  const budget = partBudget(settings);
  const measured = await measureWindow(range, budget, (r, binMs) => source.histogram(kind, r, binMs, { abortSignal: io.signal }), { scanDenseSlices: true });
  const parts = packParts(range, measured.bins, budget);
  const scanned = source.statistics().bytesScanned;
  // The export's part queries scan the range once more; the histogram already did once.
  const gb = (2 * scanned) / 1e9;
  io.stdout.write(`${renderTable([
    ["range", "expected lines", "part queries", "exact scans", "histogram queries", "bytes scanned (est.)", "cost (est.)"],
    [describeRange(range), parts.reduce((n, p) => n + p.expectedRows, 0), parts.filter((p) => p.scan !== true).length, parts.filter((p) => p.scan === true).length, measured.histogramQueries, formatBytes(2 * scanned), `$${(gb * PRICE_PER_GB_SCANNED).toFixed(4)}`],
  ])}\n\ndry run: nothing was written\n`);
  return 0;
}

/** One CloudWatch export command: flags → settings → one Parquet file (or a plan). Exit codes: 0 done, 1 failed, 2 bad flags, 130 interrupted. */
export async function runCloudWatchExport(command: CloudWatchExportCommand, argv: readonly string[], io: CommandIO): Promise<number> {
  const specs = [...CLOUDWATCH_EXPORT_FLAGS, ...command.flags, ...TAIL_FLAGS];
  if (argv.includes("--help")) {
    io.stdout.write(usage(command.program, command.summary, specs).replace(`logexport ${command.program}`, command.program));
    return 0;
  }
  const flags = parseFlags(argv, specs);
  const nowMs = io.now();
  const range = { startMs: parseInstant(stringFlag(flags, "start-time") ?? "", nowMs, "--start-time"), endMs: parseInstant(stringFlag(flags, "end-time") ?? "", nowMs, "--end-time") };
  if (range.endMs <= range.startMs) throw new CliError(`--start-time must be before --end-time, got ${describeRange(range)}`);
  const own = command.settingsFromFlags(flags);
  const names = flagNames(command, own.env);
  const settings = inFlagTerms(names, () =>
    loadAwsExportSettings({
      ...own.env,
      ...Object.fromEntries(FLAG_SETTINGS.map(([flag, setting]) => [setting, stringFlag(flags, flag)])),
      LOGEXPORT_S3_BUCKET: "unused-by-the-cli",
      LOGEXPORT_SANITIZE: flags.sanitize === true ? "on" : "off",
      LOGEXPORT_HMAC_KEY: io.env.LOGEXPORT_HMAC_KEY,
    }),
  );
  const region = stringFlag(flags, "aws-region") ?? "us-east-1";
  const outputPath = stringFlag(flags, "output-path");
  const target = outputPath === undefined ? undefined : output(outputPath, flags, region);
  const logs = new CloudWatchLogsClient({ region });
  if (flags["dry-run"] === true) return dryRun(settings, own.kind, logs, range, io);
  if (target === undefined) throw new CliError("--output-path is required (unless --dry-run): a local .parquet file or s3://bucket/key.parquet");
  const logger = jsonLogger(flags.verbose === true ? (_level, line) => io.stderr.write(`${line}\n`) : () => undefined);
  const exporter = inFlagTerms(names, () => createAwsExport(settings, { logs }));
  let bar: ProgressBar | undefined;
  const started = Date.now();
  let manifest;
  try {
    manifest = await exporter.exportRange(own.kind, range, target.store, target.name, runIdFor("cli", nowMs), logger, {
      abortSignal: io.signal,
      onProgress: (p) => {
        bar ??= new ProgressBar(io.stderr, p.parts, "parts");
        bar.update(p.partsRead, `lines ${p.linesRead}/${p.expectedLines}`, p.partsRead === p.parts);
      },
    });
  } catch (error) {
    if (io.signal?.aborted === true) throw new CliError("interrupted: nothing was written (the file appears only when complete)", 130);
    throw error;
  }
  bar?.finish();
  io.stdout.write(`${renderTable([
    ["output", "rows", "lines read", "malformed", "excluded", "bytes", "bytes scanned", "seconds"],
    [target.shown, manifest.rows, manifest.readLines, manifest.malformed.count, Object.values(manifest.excluded).reduce((a, b) => a + b, 0), formatBytes(manifest.object.bytes), formatBytes(manifest.bytesScanned), formatSeconds((Date.now() - started) / 1000)],
  ])}\n`);
  return 0;
}
