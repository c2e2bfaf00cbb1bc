import { isObjectPrefix } from "../core/identifiers.js";
import { parseContentType, type ContentType } from "../parsers/content/types.js";
import { LOG_FORMATS, parseLogFormat, type LogFormat } from "../parsers/log-formats.js";
import { validatePaths } from "../sources/cloudwatch/insights.js";
import { SettingsReader, type Environment } from "./env.js";
import { AWS_SETTINGS } from "./aws-spec.js";
import { readSanitizer, type SanitizerSettings } from "./sanitizer.js";

/** Lines holding one of includePaths are read (empty: all); rows whose request path starts with one of excludePaths are counted as excluded. */
export interface PathFilter {
  readonly includePaths: readonly string[];
  readonly excludePaths: readonly string[];
}

/** What one scheduled hour exports: the API access logs, or one content type's download logs. */
export type ExportKind = "access" | ContentType;

export interface AwsExportSettings {
  readonly exports: readonly ExportKind[];
  readonly logGroupNames: readonly string[];
  readonly logStreamName: string | undefined;
  readonly bucket: string;
  readonly prefix: string;
  readonly contentPrefix: string;
  /** The access export's paths; content exports read contentPathPrefix and their file endings. */
  readonly filter: PathFilter;
  /** How the access export's lines are written. */
  readonly logFormat: LogFormat;
  readonly contentPathPrefix: string;
  readonly delayMs: number;
  readonly queryConcurrency: number;
  readonly queryRowLimit: number;
  readonly queryTimeoutMs: number;
  readonly enrich: boolean;
  readonly msPerHourEstimate: number;
  readonly statePrefix: string;
  readonly lateDataLookbackMs: number;
  readonly partAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly sanitizer: SanitizerSettings;
  /** Where the Lambda reads the pseudonymization key at cold start (shared/wiring/aws.ts withHmacKeyFromSecret). */
  readonly hmacKeySecretArn: string | undefined;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const LOG_GROUP = /^[A-Za-z0-9_\-/.#]{1,512}$/;
/** A secret's full ARN: its name (at most 512 of these characters) and the six-character suffix the service adds. */
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}-[A-Za-z0-9]{6}$/;

function exportKind(value: string): ExportKind | undefined {
  return value === "access" ? "access" : parseContentType(value);
}

export function loadAwsExportSettings(env: Environment): AwsExportSettings {
  const reader = new SettingsReader(env);
  const exports = reader.list(AWS_SETTINGS.exports).flatMap((value) => {
    const kind = exportKind(value);
    reader.check(kind !== undefined, `${AWS_SETTINGS.exports.name}: ${JSON.stringify(value)} is not an export (access, python, rpm, maven)`);
    return kind === undefined ? [] : [kind];
  });
  reader.check(
    exports.length > 0 && new Set(exports).size === exports.length,
    `${AWS_SETTINGS.exports.name} must list each export once, got ${JSON.stringify(exports)}`,
  );
  const contentPathPrefix = reader.string(AWS_SETTINGS.contentPathPrefix);
  reader.check(
    /^\/[A-Za-z0-9._~/-]*\/$/.test(contentPathPrefix),
    `${AWS_SETTINGS.contentPathPrefix.name} must be a path starting and ending with /, got ${JSON.stringify(contentPathPrefix)}`,
  );
  const logGroupNames = reader.list(AWS_SETTINGS.logGroups);
  // Missing is reported as required; present but only commas would silently export nothing.
  reader.check(
    logGroupNames.length > 0 || (env[AWS_SETTINGS.logGroups.name]?.trim() ?? "") === "",
    `${AWS_SETTINGS.logGroups.name} names no log group, got ${JSON.stringify(env[AWS_SETTINGS.logGroups.name])}`,
  );
  for (const group of logGroupNames) reader.check(LOG_GROUP.test(group), `${AWS_SETTINGS.logGroups.name}: ${JSON.stringify(group)} is not a log group name`);
  const logStreamName = reader.raw(AWS_SETTINGS.logStream);
  reader.check(
    logStreamName === undefined || /^[^:*"\\]{1,512}$/.test(logStreamName),
    `${AWS_SETTINGS.logStream.name} must be a log stream name without : * " or \\, got ${JSON.stringify(logStreamName)}`,
  );
  const bucket = reader.string(AWS_SETTINGS.bucket);
  reader.check(bucket === "" || BUCKET.test(bucket), `${AWS_SETTINGS.bucket.name} must be an S3 bucket name, got ${JSON.stringify(bucket)}`);
  const prefix = reader.string(AWS_SETTINGS.prefix).replace(/^\/+|\/+$/g, "");
  const statePrefix = reader.string(AWS_SETTINGS.statePrefix).replace(/^\/+|\/+$/g, "");
  reader.check(
    isObjectPrefix(statePrefix) && statePrefix !== "",
    `${AWS_SETTINGS.statePrefix.name} must be /-separated segments of letters, digits and . _ = - (no "." or ".."), got ${JSON.stringify(statePrefix)}`,
  );
  const enrich = reader.string(AWS_SETTINGS.enrich);
  reader.check(enrich === "true" || enrich === "false", `${AWS_SETTINGS.enrich.name} must be true or false, got ${JSON.stringify(enrich)}`);
  const filter: PathFilter = { includePaths: reader.list(AWS_SETTINGS.filterPaths), excludePaths: reader.list(AWS_SETTINGS.excludePaths) };
  try {
    validatePaths("--filter-paths", filter.includePaths);
    validatePaths("--exclude-paths", filter.excludePaths);
  } catch (error) {
    reader.check(false, error instanceof Error ? error.message : String(error));
  }
  const logFormatText = reader.string(AWS_SETTINGS.logFormat);
  const logFormat = parseLogFormat(logFormatText);
  reader.check(logFormat !== undefined, `${AWS_SETTINGS.logFormat.name} must be one of ${LOG_FORMATS.join(", ")}, got ${JSON.stringify(logFormatText)}`);
  const sanitizer = readSanitizer(reader, { sanitize: AWS_SETTINGS.sanitize, config: AWS_SETTINGS.sanitizerConfig, hmacKey: AWS_SETTINGS.hmacKey });
  const hmacKeySecretArn = reader.raw(AWS_SETTINGS.hmacKeySecretArn);
  reader.check(
    hmacKeySecretArn === undefined || SECRET_ARN.test(hmacKeySecretArn),
    `${AWS_SETTINGS.hmacKeySecretArn.name} must be the full ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>), got ${JSON.stringify(hmacKeySecretArn)}`,
  );
  reader.check(
    hmacKeySecretArn === undefined || sanitizer.hmacKey === undefined,
    `set ${AWS_SETTINGS.hmacKey.name} or ${AWS_SETTINGS.hmacKeySecretArn.name}, not both`,
  );
  const settings: AwsExportSettings = {
    exports,
    logGroupNames,
    logStreamName,
    bucket,
    prefix,
    contentPrefix: reader.string(AWS_SETTINGS.contentPrefix).replace(/^\/+|\/+$/g, ""),
    filter,
    logFormat: logFormat ?? "pulp",
    contentPathPrefix,
    delayMs: reader.integer(AWS_SETTINGS.delayMinutes, 0, 1440) * 60_000,
    queryConcurrency: reader.integer(AWS_SETTINGS.queryConcurrency, 1, 30),
    queryRowLimit: reader.integer(AWS_SETTINGS.queryRowLimit, 1, 10_000),
    queryTimeoutMs: reader.integer(AWS_SETTINGS.queryTimeoutSeconds, 10, 3600) * 1000,
    enrich: enrich === "true",
    msPerHourEstimate: reader.integer(AWS_SETTINGS.secondsPerHour, 1, 3600) * 1000,
    statePrefix,
    lateDataLookbackMs: reader.integer(AWS_SETTINGS.lateDataLookbackHours, 0, 24 * 30) * 3_600_000,
    partAttempts: reader.integer(AWS_SETTINGS.partAttempts, 1, 10),
    retryBaseMs: reader.integer(AWS_SETTINGS.retryBaseMs, 0, 60_000),
    retryMaxMs: reader.integer(AWS_SETTINGS.retryMaxMs, 0, 600_000),
    sanitizer,
    hmacKeySecretArn,
  };
  reader.check(
    settings.retryMaxMs >= settings.retryBaseMs,
    `${AWS_SETTINGS.retryMaxMs.name} (${settings.retryMaxMs}) must be at least ${AWS_SETTINGS.retryBaseMs.name} (${settings.retryBaseMs})`,
  );
  reader.done();
  return Object.freeze(settings);
}
