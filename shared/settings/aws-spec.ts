import { RETRY_BACKOFF_SETTINGS, type SettingSpec } from "./spec.js";

/** The AWS export's settings (Lambda environment). Terraform sets exactly these names. */
export const AWS_SETTINGS = {
  logGroups: { name: "LOGEXPORT_LOG_GROUPS", required: true, description: "Comma-separated CloudWatch log group names holding the Pulp access logs." },
  logStream: { name: "LOGEXPORT_LOG_STREAM", description: "Only this log stream (optional; the seed's --cloudwatch-stream)." },
  bucket: { name: "LOGEXPORT_S3_BUCKET", required: true, description: "S3 bucket for the Parquet files and their manifests." },
  exports: {
    name: "LOGEXPORT_EXPORTS",
    default: "access",
    description:
      "Comma-separated exports each scheduled hour runs: `access` (API access logs) and content types `python`, `rpm`, `maven` (content-app download logs); each has its own prefix and manifests, and one failing does not stop the others.",
  },
  prefix: {
    name: "LOGEXPORT_S3_PREFIX",
    default: "pulp-access-logs",
    description: "Key prefix of the access export; files go to `<prefix>/year=…/month=…/day=…/hour=…/pulp_access_logs_<hour>.parquet`.",
  },
  contentPrefix: {
    name: "LOGEXPORT_CONTENT_S3_PREFIX",
    default: "pulp-content-logs",
    description: "Key prefix of the content exports; files go to `<prefix>/<type>/year=…/hour=…/pulp_content_<type>_logs_<hour>.parquet`.",
  },
  contentPathPrefix: {
    name: "LOGEXPORT_CONTENT_PATH_PREFIX",
    default: "/api/pulp-content/",
    description: "The content app's request path prefix, followed by `<domain>/<distribution…>/<file>`.",
  },
  logFormat: {
    name: "LOGEXPORT_LOG_FORMAT",
    default: "pulp",
    description:
      "How the access export's lines are written: `pulp` (Pulp's gunicorn formats), `combined` (Apache/nginx combined, optionally with X-Forwarded-For and request time), `nginx-json` (nginx `log_format … escape=json`). Each CloudWatch event may hold the line bare or in a JSON envelope's `message` or `log`.",
  },
  filterPaths: {
    name: "LOGEXPORT_FILTER_PATHS",
    default: "/api/pypi/",
    description: "Comma-separated request path prefixes to keep (the seed's --filter-paths).",
  },
  excludePaths: {
    name: "LOGEXPORT_EXCLUDE_PATHS",
    default: "/livez,/status",
    description: "Comma-separated request path prefixes to drop (the seed's --exclude-paths).",
  },
  delayMinutes: {
    name: "LOGEXPORT_DELAY_MINUTES",
    default: "15",
    description: "The scheduled run exports the last full hour that ended at least this long before the event time.",
  },
  queryConcurrency: {
    name: "LOGEXPORT_QUERY_CONCURRENCY",
    default: "4",
    description:
      "Logs Insights part queries in flight at once; the account's quota (30 by default) is shared by every deployment and person querying in the Region (docs/capacity.md).",
  },
  queryRowLimit: {
    name: "LOGEXPORT_QUERY_ROW_LIMIT",
    default: "10000",
    description: "Rows one Insights query may return; parts are planned under it (at most 10000).",
  },
  queryTimeoutSeconds: {
    name: "LOGEXPORT_INSIGHTS_TIMEOUT_SECONDS",
    default: "300",
    description: "A Logs Insights query not complete after this long is stopped and retried.",
  },
  enrich: {
    name: "LOGEXPORT_ENRICH",
    default: "false",
    description: "`true` adds method, path, response_bytes, duration_ms, correlation_id, is_bot and threat columns.",
  },
  sanitize: {
    name: "LOGEXPORT_SANITIZE",
    default: "off",
    description: "`on`: the string columns pass through the sanitizer (docs/sanitizer.md); off by default because analysts query user, org and addresses.",
  },
  sanitizerConfig: {
    name: "LOGEXPORT_SANITIZER_CONFIG",
    default: "",
    description:
      "Sanitizer config inline or a file path: JSON (the Lambda reads JSON only; Terraform converts YAML), JSON or YAML in the CLIs; empty: the built-in rules.",
  },
  hmacKey: {
    name: "LOGEXPORT_HMAC_KEY",
    description:
      "Key for keyed pseudonyms (hex or base64, ≥ 32 bytes) as plain text, for the CLIs and local runs; required only by rules that pseudonymize. In the Lambda use `LOGEXPORT_HMAC_KEY_SECRET_ARN`.",
  },
  hmacKeySecretArn: {
    name: "LOGEXPORT_HMAC_KEY_SECRET_ARN",
    description:
      "Full ARN of a Secrets Manager secret whose SecretString holds the key for keyed pseudonyms (hex or base64, ≥ 32 bytes), read once at cold start; unreadable, binary or too short stops the function with a ConfigurationError. Not together with `LOGEXPORT_HMAC_KEY`.",
  },
  statePrefix: {
    name: "LOGEXPORT_STATE_PREFIX",
    default: "_logexport",
    description:
      "Key prefix of the manifests (`manifests/table=<export>/…`) and the ledger (`ledger/YYYY-MM-DD/<export>.csv`), in the same bucket; `logexport status --aws` reads them.",
  },
  lateDataLookbackHours: {
    name: "LOGEXPORT_LATE_DATA_LOOKBACK_HOURS",
    default: "48",
    description:
      "Each scheduled run re-counts this many exported hours before the one it exports (one histogram query per export) and re-exports any hour whose line count grew (0 disables).",
  },
  partAttempts: {
    name: "LOGEXPORT_PART_ATTEMPTS",
    default: "3",
    description: "Tries per part query inside one run before the hour fails (Lambda's own retries are the outer ones).",
  },
  ...RETRY_BACKOFF_SETTINGS,
  secondsPerHour: {
    name: "LOGEXPORT_SECONDS_PER_HOUR_ESTIMATE",
    default: "120",
    description: "Expected seconds to export one hour; a manual range that would not finish in the Lambda's remaining time is refused.",
  },
} as const satisfies Record<string, SettingSpec>;

export function allAwsSettings(): SettingSpec[] {
  return Object.values(AWS_SETTINGS);
}
