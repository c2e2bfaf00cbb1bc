import { jsonLogger } from "../../shared/core/logger.js";
import { describeRange, type TimeRange } from "../../shared/core/time.js";
import type { Environment } from "../../shared/settings/env.js";
import { loadAwsExportSettings, type ExportKind } from "../../shared/settings/aws.js";
import { AWS_SETTINGS } from "../../shared/settings/aws-spec.js";
import { cloudWatchClient, createAwsExport, type AwsExport } from "../../shared/wiring/aws.js";
import { parseFlags, stringFlag, usage, type FlagSpec, type ParsedFlags } from "../args.js";
import { runIdFor } from "../common.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { formatSeconds, ProgressBar } from "../progress.js";
import { fileTargetFlag, S3_FLAGS } from "../s3.js";
import { flagNamesOf, inFlagTerms, settingsFromFlags, type FlagSettings } from "../settings-flags.js";
import { formatBytes, renderTable } from "../table.js";
import { readYaml } from "../../shared/sanitize/yaml.js";
import { parseEndInstant, parseInstant } from "../time.js";

/** The flags every CloudWatch export command shares: the seed's, then ours. */
export const CLOUDWATCH_EXPORT_FLAGS: readonly FlagSpec[] = [
  { name: "cloudwatch-group", required: true, description: "CloudWatch log group name (several separated by commas)" },
  { name: "cloudwatch-stream", description: "only this log stream" },
  { name: "start-time", required: true, description: 'start, ISO 8601 (UTC when no zone is given) or relative ("1 hour ago", "15 minutes ago", "now")' },
  {
    name: "end-time",
    default: "now",
    description: "end, exclusive; an end at second :59 (14:59:59Z, as the upstream CronJob writes it) counts that whole second",
  },
  { name: "output-path", description: "a local .parquet file or s3://bucket/key.parquet (a manifest is written beside it); required unless --dry-run" },
  { name: "aws-region", default: "us-east-1", description: "AWS region" },
  ...S3_FLAGS,
];

const TAIL_FLAGS: readonly FlagSpec[] = [
  { name: "sanitize", boolean: true, description: "pass the string columns through the sanitizer (built-in rules; LOGEXPORT_HMAC_KEY for pseudonyms)" },
  { name: "sanitizer-config", description: "sanitizer config file (JSON or YAML), with --sanitize" },
  { name: "concurrency", default: "4", description: "Logs Insights queries in flight" },
  { name: "allow-shrink", boolean: true, description: "overwrite the file even when its manifest beside it holds more rows than this export finds" },
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
const FLAG_SETTINGS: FlagSettings = [
  ["cloudwatch-group", AWS_SETTINGS.logGroups.name],
  ["cloudwatch-stream", AWS_SETTINGS.logStream.name],
  ["concurrency", AWS_SETTINGS.queryConcurrency.name],
  ["sanitizer-config", AWS_SETTINGS.sanitizerConfig.name],
];

/** Setting name → `--flag`, for every setting this command's flags gave. */
function flagNames(command: CloudWatchExportCommand, ownEnv: Environment): ReadonlyMap<string, string> {
  const own = command.flags.map((f) => [f.name, `LOGEXPORT_${f.name.toUpperCase().replaceAll("-", "_")}`] as const).filter(([, setting]) => setting in ownEnv);
  return flagNamesOf([...FLAG_SETTINGS, ...own]);
}

/** Logs Insights list price per GB scanned (us-east-1). */
const PRICE_PER_GB_SCANNED = 0.005;

async function dryRun(exporter: AwsExport, kind: ExportKind, range: TimeRange, io: CommandIO): Promise<number> {
  const plan = await exporter.dryRun(kind, range, io.signal);
  // The export's part queries scan the range once more; the histogram already did once.
  const scanned = 2 * plan.bytesScanned;
  io.stdout.write(
    `${renderTable([
      ["range", "expected lines", "part queries", "exact scans", "histogram queries", "bytes scanned (est.)", "cost (est.)"],
      [
        describeRange(range),
        plan.expectedRows,
        plan.queryParts,
        plan.scanParts,
        plan.histogramQueries,
        formatBytes(scanned),
        `$${((scanned / 1e9) * PRICE_PER_GB_SCANNED).toFixed(4)}`,
      ],
    ])}\n\ndry run: nothing was written\n`,
  );
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
  const range = {
    startMs: parseInstant(stringFlag(flags, "start-time") ?? "", nowMs, "--start-time"),
    endMs: parseEndInstant(stringFlag(flags, "end-time") ?? "", nowMs, "--end-time"),
  };
  if (range.endMs <= range.startMs) throw new CliError(`--start-time must be before --end-time, got ${describeRange(range)}`);
  const own = command.settingsFromFlags(flags);
  const names = flagNames(command, own.env);
  const settings = inFlagTerms(names, () =>
    loadAwsExportSettings({
      ...own.env,
      ...settingsFromFlags(flags, FLAG_SETTINGS),
      LOGEXPORT_S3_BUCKET: "unused-by-the-cli",
      LOGEXPORT_SANITIZE: flags.sanitize === true ? "on" : "off",
      LOGEXPORT_HMAC_KEY: io.env.LOGEXPORT_HMAC_KEY,
    }),
  );
  const region = stringFlag(flags, "aws-region") ?? "us-east-1";
  const outputPath = stringFlag(flags, "output-path");
  const target = outputPath === undefined ? undefined : fileTargetFlag(flags, "output-path", region);
  const exporter = inFlagTerms(names, () => createAwsExport(settings, { logs: cloudWatchClient(region), yaml: readYaml }));
  if (flags["dry-run"] === true) return dryRun(exporter, own.kind, range, io);
  if (target === undefined) throw new CliError("--output-path is required (unless --dry-run): a local .parquet file or s3://bucket/key.parquet");
  const logger = jsonLogger(flags.verbose === true ? (_level, line) => io.stderr.write(`${line}\n`) : () => undefined);
  let bar: ProgressBar | undefined;
  let expected = 0;
  const started = Date.now();
  let outcome;
  try {
    outcome = await exporter.exportToFile(own.kind, range, target, { runId: runIdFor("cli", nowMs), allowShrink: flags["allow-shrink"] === true }, logger, {
      abortSignal: io.signal,
      onProgress: (p) => {
        if (p.kind === "planned") {
          expected = p.expectedRows;
          bar = new ProgressBar(io.stderr, p.parts, "parts");
        } else bar?.update(p.partsDone, `lines ${p.rowsRead}/${expected}`, true);
      },
    });
  } catch (error) {
    if (io.signal?.aborted === true) throw new CliError("interrupted: nothing was written (the file appears only when complete)", 130);
    throw error;
  }
  bar?.finish();
  const m = outcome.manifest;
  const shown = m.exportedRows === 0 ? `${target.shown} (no rows: not written)` : target.shown;
  io.stdout.write(
    `${renderTable([
      ["output", "rows", "lines read", "malformed", "excluded", "bytes", "bytes scanned", "seconds"],
      [
        shown,
        m.exportedRows,
        m.readRows,
        m.malformed.count,
        Object.values(m.excluded).reduce((a, b) => a + b, 0),
        formatBytes(m.bytes),
        formatBytes(m.bytesScanned ?? 0),
        formatSeconds((Date.now() - started) / 1000),
      ],
    ])}\n`,
  );
  return 0;
}
