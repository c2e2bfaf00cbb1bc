import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DAY_MS, floorTo, HOUR_MS, type TimeRange } from "../../shared/core/time.js";
import type { TableCoverage } from "../../shared/engine/status.js";
import { loadAwsExportSettings } from "../../shared/settings/aws.js";
import { AWS_SETTINGS } from "../../shared/settings/aws-spec.js";
import { SETTINGS } from "../../shared/settings/spec.js";
import { createAwsExport } from "../../shared/wiring/aws.js";
import { createS3Client } from "../../shared/wiring/s3.js";
import { parseFlags, stringFlag, usage, type FlagSpec, type ParsedFlags } from "../args.js";
import { accountStorage, ACCOUNT_FLAGS, azureExportFromFlags, outputTarget } from "../common.js";
import { coverageTable } from "../coverage-table.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { S3_FLAGS } from "../s3.js";
import { flagNamesOf, inFlagTerms, settingsFromFlags, type FlagSettings } from "../settings-flags.js";
import { readYaml } from "../../shared/sanitize/yaml.js";
import { formatBytes } from "../../shared/report/bytes.js";
import { coveragePage } from "../../shared/report/coverage-page.js";
import { parseInstant } from "../time.js";

export const STATUS_FLAGS: readonly FlagSpec[] = [
  { name: "tables", description: "Azure: table names separated by commas, or @file with one a line (default: $LOGEXPORT_TABLES)" },
  { name: "start", default: "-7d", description: "start of the range (ISO 8601 or relative)" },
  { name: "end", default: "now", description: "end of the range, exclusive" },
  { name: "window-minutes", description: "Azure: window size the exports used (default: $LOGEXPORT_WINDOW_MINUTES or 60)" },
  ...ACCOUNT_FLAGS,
  {
    name: "out",
    description: "Azure: read what `export --out` wrote there instead (a directory, or the container URL with its SAS, used as the only credential)",
  },
  { name: "aws", boolean: true, description: "the AWS export's hours in an S3 bucket instead of Azure's windows (the same as --clouds aws)" },
  { name: "clouds", description: "azure, aws, or azure,aws: both exports in one listing and on one page (default azure, or aws with --aws)" },
  { name: "bucket", description: "AWS: the export bucket (default: $LOGEXPORT_S3_BUCKET)" },
  { name: "exports", description: "AWS: exports to show, e.g. access,rpm (default: $LOGEXPORT_EXPORTS or access)" },
  { name: "state-prefix", description: "AWS: key prefix of manifests and ledger (default: $LOGEXPORT_STATE_PREFIX or _logexport)" },
  { name: "aws-region", default: "us-east-1", description: "AWS: the bucket's region" },
  ...S3_FLAGS,
  { name: "json", boolean: true, description: "print the full coverage as JSON" },
  { name: "html", description: "also write the coverage page (a self-contained HTML heatmap) to this file" },
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY = "Shows which windows (Azure) or hours (--aws) are exported, in progress, failed or missing, from the manifests and the ledger.";

/** The status view needs no query endpoint: a workspace id is required by the shared settings, so a stand-in satisfies it when none is set. */
const NO_WORKSPACE = "00000000-0000-0000-0000-000000000000";

function rangeOf(flags: ParsedFlags, nowMs: number, stepMs: number): TimeRange {
  const startMs = parseInstant(stringFlag(flags, "start") ?? "", nowMs, "--start");
  const endMs = parseInstant(stringFlag(flags, "end") ?? "", nowMs, "--end");
  if (endMs <= startMs) throw new CliError("--start must be before --end");
  const range = { startMs: floorTo(startMs, stepMs), endMs: floorTo(endMs, stepMs) };
  if ((range.endMs - range.startMs) / DAY_MS > 4_000) throw new CliError("the range covers more than 4,000 days; ask for a shorter range");
  return range;
}

interface CoverageRead {
  /** The page's heading for this export. */
  readonly name: string;
  readonly range: TimeRange;
  readonly tables: TableCoverage[];
}

async function awsCoverage(flags: ParsedFlags, io: CommandIO, nowMs: number): Promise<CoverageRead> {
  const pairs: FlagSettings = [
    ["bucket", AWS_SETTINGS.bucket.name],
    ["exports", AWS_SETTINGS.exports.name],
    ["state-prefix", AWS_SETTINGS.statePrefix.name],
  ];
  const env = {
    ...io.env,
    [AWS_SETTINGS.logGroups.name]: io.env[AWS_SETTINGS.logGroups.name] ?? "status-reads-no-log-group",
    ...settingsFromFlags(flags, pairs),
  };
  const names = flagNamesOf(pairs);
  const region = stringFlag(flags, "s3-region") ?? stringFlag(flags, "aws-region") ?? "us-east-1";
  const exporter = inFlagTerms(names, () => {
    const settings = loadAwsExportSettings(env);
    return createAwsExport(settings, { s3: createS3Client({ region, endpoint: stringFlag(flags, "s3-endpoint-url") }), yaml: readYaml });
  });
  if (exporter.settings.bucket === "") throw new CliError("--bucket (or LOGEXPORT_S3_BUCKET) is required with --aws");
  const range = rangeOf(flags, nowMs, HOUR_MS);
  return {
    name: `AWS CloudWatch Logs, s3://${exporter.settings.bucket} (hours)`,
    range,
    tables: await exporter.coverage(exporter.settings.exports, range, nowMs),
  };
}

async function azureCoverage(flags: ParsedFlags, io: CommandIO, nowMs: number): Promise<CoverageRead> {
  const withWorkspace: CommandIO = { ...io, env: { [SETTINGS.workspaceId.name]: NO_WORKSPACE, ...io.env } };
  const out = stringFlag(flags, "out");
  const exporter = azureExportFromFlags(
    flags,
    withWorkspace,
    "tables",
    out === undefined ? { storage: accountStorage(flags, io), stateInDataContainer: false } : outputTarget(out, flags, io),
  );
  const range = rangeOf(flags, nowMs, exporter.settings.windowMs);
  return {
    name: `Azure Log Analytics, ${exporter.location} (${exporter.settings.windowMs / 60_000}-minute windows)`,
    range,
    tables: await exporter.coverage({
      tables: exporter.settings.tables,
      range,
      windowMs: exporter.settings.windowMs,
      nowMs,
      inProgressHorizonMs: 24 * HOUR_MS,
    }),
  };
}

const CLOUDS = ["azure", "aws"] as const;
type Cloud = (typeof CLOUDS)[number];

/** `--clouds azure,aws` (in that order on the page, whatever the order given), `--aws` alone, or Azure. */
function cloudsOf(flags: ParsedFlags): Cloud[] {
  const text = stringFlag(flags, "clouds");
  if (text === undefined) return [flags.aws === true ? "aws" : "azure"];
  const named = text.split(",").map((c) => c.trim());
  const unknown = named.filter((c) => !(CLOUDS as readonly string[]).includes(c));
  if (unknown.length > 0 || named.length === 0) throw new CliError(`--clouds takes azure, aws or azure,aws; got ${JSON.stringify(text)}`);
  if (flags.aws === true && named.includes("azure")) throw new CliError("--aws shows the AWS export only: leave it out with --clouds azure,aws");
  return CLOUDS.filter((c) => named.includes(c));
}

function rangeJson(read: CoverageRead): { start: string; end: string; tables: TableCoverage[] } {
  return { start: new Date(read.range.startMs).toISOString(), end: new Date(read.range.endMs).toISOString(), tables: read.tables };
}

export async function statusCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("status", SUMMARY, STATUS_FLAGS));
    return 0;
  }
  const flags = parseFlags(argv, STATUS_FLAGS);
  const nowMs = io.now();
  const reads: CoverageRead[] = [];
  for (const cloud of cloudsOf(flags)) reads.push(cloud === "aws" ? await awsCoverage(flags, io, nowMs) : await azureCoverage(flags, io, nowMs));
  const htmlPath = stringFlag(flags, "html");
  if (htmlPath !== undefined) {
    const page = coveragePage({
      title: "Log export coverage",
      generatedAt: new Date(nowMs).toISOString(),
      sections: reads.map(({ name, tables }) => ({ name, tables })),
    });
    await writeFile(resolve(htmlPath), page.html);
    io.stderr.write(`coverage page written to ${resolve(htmlPath)} (${formatBytes(Buffer.byteLength(page.html))})\n`);
  }
  const [only] = reads;
  if (flags.json === true) {
    // One cloud keeps the shape scripts already read; both are listed under `clouds`.
    const json = reads.length === 1 && only !== undefined ? rangeJson(only) : { clouds: reads.map((read) => ({ name: read.name, ...rangeJson(read) })) };
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    io.stdout.write(
      reads.length === 1 && only !== undefined
        ? `${coverageTable(only.tables)}\n`
        : reads.map((read) => `${read.name}\n${coverageTable(read.tables)}\n`).join("\n"),
    );
  }
  return 0;
}
