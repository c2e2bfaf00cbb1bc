import { stringFlag } from "../args.js";
import type { CommandIO } from "../io.js";
import { runCloudWatchExport, type CloudWatchExportCommand } from "./cloudwatch-export.js";

const ACCESS_LOGS: CloudWatchExportCommand = {
  program: "export-access-logs",
  summary: "Exports Pulp access logs from CloudWatch Logs to one Parquet file with the seed's schema, losing and doubling nothing. Exit codes: 0 done, 1 export failed, 2 bad flags, 130 interrupted.",
  flags: [
    { name: "filter-paths", default: "/api/pypi/", description: "keep requests whose path starts with one of these (comma-separated)" },
    { name: "exclude-paths", default: "/livez,/status", description: "drop requests whose path starts with one of these" },
    { name: "enrich", boolean: true, description: "add method, path, response_bytes, duration_ms, correlation_id, is_bot and threat columns" },
  ],
  settingsFromFlags: (flags) => ({
    kind: "access",
    env: {
      LOGEXPORT_FILTER_PATHS: stringFlag(flags, "filter-paths"),
      LOGEXPORT_EXCLUDE_PATHS: stringFlag(flags, "exclude-paths"),
      LOGEXPORT_ENRICH: flags.enrich === true ? "true" : "false",
    },
  }),
};

export function exportAccessLogsCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  return runCloudWatchExport(ACCESS_LOGS, argv, io);
}
