data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id

  function_name = "${var.name}-log-export"
  bucket_arn    = "arn:${local.partition}:s3:::${var.bucket_name}"

  # Where each export writes (shared/wiring/aws.ts exportDefinition): the role may write only there.
  export_prefixes = { for e in var.exports : e => e == "access" ? var.prefix : "${var.content_prefix}/${e}" }

  log_group_arns = [for g in var.log_group_names : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${g}"]

  # The one place the function's environment is set; test/unit/terraform/aws-module.test.ts compares
  # its names with the settings table the code reads (shared/settings/aws-spec.ts).
  lambda_environment = merge(
    {
      LOGEXPORT_EXPORTS                   = join(",", var.exports)
      LOGEXPORT_LOG_GROUPS                = join(",", var.log_group_names)
      LOGEXPORT_S3_BUCKET                 = var.bucket_name
      LOGEXPORT_S3_PREFIX                 = var.prefix
      LOGEXPORT_CONTENT_S3_PREFIX         = var.content_prefix
      LOGEXPORT_CONTENT_PATH_PREFIX       = var.content_path_prefix
      LOGEXPORT_FILTER_PATHS              = join(",", var.filter_paths)
      LOGEXPORT_EXCLUDE_PATHS             = join(",", var.exclude_paths)
      LOGEXPORT_DELAY_MINUTES             = tostring(var.delay_minutes)
      LOGEXPORT_QUERY_CONCURRENCY         = tostring(var.query_concurrency)
      LOGEXPORT_ENRICH                    = tostring(var.enrich)
      LOGEXPORT_SANITIZE                  = var.sanitize
      LOGEXPORT_SECONDS_PER_HOUR_ESTIMATE = tostring(var.seconds_per_hour_estimate)
      LOGEXPORT_STATE_PREFIX              = var.state_prefix
      LOGEXPORT_LATE_DATA_LOOKBACK_HOURS  = tostring(var.late_data_lookback_hours)
      NODE_OPTIONS                        = "--max-old-space-size=${var.heap_mb}"
    },
    var.log_stream_name == null ? {} : { LOGEXPORT_LOG_STREAM = var.log_stream_name },
    var.sanitizer_config == null ? {} : { LOGEXPORT_SANITIZER_CONFIG = jsonencode(yamldecode(var.sanitizer_config)) },
    var.hmac_key_secret_arn == null ? {} : { LOGEXPORT_HMAC_KEY_SECRET_ARN = var.hmac_key_secret_arn },
  )

  # Glue column types of the encoder's (shared/formats/parquet/schema.ts, shared/parsers/content/types.ts).
  access_columns = concat(
    [
      { name = "timestamp", type = "timestamp" },
      { name = "message", type = "string" },
      { name = "user", type = "string" },
      { name = "org_id", type = "string" },
      { name = "domain", type = "string" },
      { name = "distribution", type = "string" },
      { name = "package", type = "string" },
      { name = "status_code", type = "smallint" },
      { name = "user_agent", type = "string" },
      { name = "x_forwarded_for", type = "string" },
    ],
    var.enrich ? [
      { name = "method", type = "string" },
      { name = "path", type = "string" },
      { name = "response_bytes", type = "bigint" },
      { name = "duration_ms", type = "int" },
      { name = "correlation_id", type = "string" },
      { name = "is_bot", type = "boolean" },
      { name = "threat", type = "string" },
    ] : [],
  )

  content_common_columns = [
    { name = "timestamp", type = "timestamp" },
    { name = "domain", type = "string" },
    { name = "distribution", type = "string" },
    { name = "package_name", type = "string" },
    { name = "package_version", type = "string" },
    { name = "architecture", type = "string" },
    { name = "artifact_path", type = "string" },
    { name = "artifact_size", type = "bigint" },
    { name = "status_code", type = "smallint" },
    { name = "cache_hit", type = "boolean" },
    { name = "user_agent", type = "string" },
    { name = "org_id", type = "string" },
    { name = "x_forwarded_for", type = "string" },
    { name = "request_time_ms", type = "int" },
  ]

  content_type_columns = {
    python = [
      { name = "build_tag", type = "string" },
      { name = "pyver", type = "string" },
      { name = "abi", type = "string" },
    ]
    rpm = [
      { name = "epoch", type = "int" },
      { name = "release", type = "string" },
    ]
    maven = [
      { name = "group_id", type = "string" },
      { name = "classifier", type = "string" },
      { name = "packaging", type = "string" },
    ]
  }

  glue_columns = { for e in var.exports : e => e == "access" ? local.access_columns : concat(local.content_common_columns, local.content_type_columns[e]) }
}
