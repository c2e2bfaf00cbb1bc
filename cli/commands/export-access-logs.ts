import { LOG_FORMATS, parseLogFormat } from "../../shared/parsers/log-formats.js";
import { stringFlag, type ParsedFlags } from "../args.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { runCloudWatchExport, type CloudWatchExportCommand } from "./cloudwatch-export.js";

/** The seed's default keeps the PyPI API; web logs of another format keep every path unless told. */
function filterPaths(flags: ParsedFlags): string {
  const format = stringFlag(flags, "log-format") ?? "pulp";
  if (parseLogFormat(format) === undefined) throw new CliError(`--log-format must be one of ${LOG_FORMATS.join(", ")}, got ${JSON.stringify(format)}`);
  return stringFlag(flags, "filter-paths") ?? (format === "pulp" ? "/api/pypi/" : "/");
}

const ACCESS_LOGS: CloudWatchExportCommand = {
  program: "export-access-logs",
  summary:
    "Exports access logs (Pulp's, or Apache/nginx combined or nginx JSON) from CloudWatch Logs to one Parquet file with the seed's schema, losing and doubling nothing; a range without rows writes no file. Exit codes: 0 done, 1 export failed, 2 bad flags, 130 interrupted.",
  flags: [
    {
      name: "log-format",
      default: "pulp",
      description: `how the lines are written: ${LOG_FORMATS.join(" | ")} (bare or in a JSON envelope's message or log, per event)`,
    },
    {
      name: "filter-paths",
      description: "keep requests whose path starts with one of these, comma-separated (default: /api/pypi/ for --log-format pulp, every path otherwise)",
    },
    { name: "exclude-paths", default: "/livez,/status", description: "drop requests whose path starts with one of these" },
    { name: "enrich", boolean: true, description: "add method, path, response_bytes, duration_ms, correlation_id, is_bot and threat columns" },
  ],
  settingsFromFlags: (flags) => ({
    kind: "access",
    env: {
      LOGEXPORT_LOG_FORMAT: stringFlag(flags, "log-format"),
      LOGEXPORT_FILTER_PATHS: filterPaths(flags),
      LOGEXPORT_EXCLUDE_PATHS: stringFlag(flags, "exclude-paths"),
      LOGEXPORT_ENRICH: flags.enrich === true ? "true" : "false",
    },
  }),
};

export function exportAccessLogsCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  return runCloudWatchExport(ACCESS_LOGS, argv, io);
}
