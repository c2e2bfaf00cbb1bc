import { CONTENT_TYPES, parseContentType } from "../../shared/parsers/content/types.js";
import { stringFlag } from "../args.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { runCloudWatchExport, type CloudWatchExportCommand } from "./cloudwatch-export.js";

const CONTENT_LOGS: CloudWatchExportCommand = {
  program: "export-content-logs",
  summary: `Exports Pulp content-app download logs of one content type (${CONTENT_TYPES.join(", ")}) from CloudWatch Logs to one Parquet file with that type's schema; files that do not match the type's grammar are counted in the manifest. Exit codes: 0 done, 1 export failed, 2 bad flags, 130 interrupted.`,
  flags: [
    { name: "content-type", required: true, description: `what was downloaded: ${CONTENT_TYPES.join(" | ")} (filtered on the server by file ending)` },
    { name: "content-path-prefix", default: "/api/pulp-content/", description: "the content app's path prefix, followed by <domain>/<distribution…>/<file>" },
    { name: "exclude-paths", default: "/livez,/status", description: "drop requests whose path starts with one of these" },
  ],
  settingsFromFlags: (flags) => {
    const value = stringFlag(flags, "content-type") ?? "";
    const kind = parseContentType(value);
    if (kind === undefined) throw new CliError(`--content-type must be one of ${CONTENT_TYPES.join(", ")}, got ${JSON.stringify(value)}`);
    return {
      kind,
      env: {
        LOGEXPORT_EXPORTS: kind,
        LOGEXPORT_CONTENT_PATH_PREFIX: stringFlag(flags, "content-path-prefix"),
        LOGEXPORT_EXCLUDE_PATHS: stringFlag(flags, "exclude-paths"),
      },
    };
  },
};

export function exportContentLogsCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  return runCloudWatchExport(CONTENT_LOGS, argv, io);
}
