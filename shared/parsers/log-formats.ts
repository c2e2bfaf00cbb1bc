import type { AccessLineParser } from "./access-line.js";
import { parseCombinedLine } from "./combined-log.js";
import { parseNginxJsonLine } from "./nginx-json-log.js";
import { parsePulpAccessLine } from "./pulp-access-log.js";

/** The access-log formats an access export reads: Pulp's gunicorn format, Apache/nginx combined, nginx JSON. */
export const LOG_FORMATS = ["pulp", "combined", "nginx-json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const LOG_FORMAT_PARSERS: Readonly<Record<LogFormat, AccessLineParser>> = {
  pulp: parsePulpAccessLine,
  combined: parseCombinedLine,
  "nginx-json": parseNginxJsonLine,
};

export function parseLogFormat(value: string): LogFormat | undefined {
  return (LOG_FORMATS as readonly string[]).includes(value) ? (value as LogFormat) : undefined;
}
