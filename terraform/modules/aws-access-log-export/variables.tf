# Required ---------------------------------------------------------------------------------------

variable "name" {
  description = "Short name from which every resource name is derived (function, role, queue, alarms): 3-32 lowercase letters, digits and hyphens, starting with a letter."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "log_group_names" {
  description = "CloudWatch log groups holding the Pulp logs (LOGEXPORT_LOG_GROUPS), e.g. [\"/aws/containerinsights/pulp-prod/application\"]. The role may query exactly these."
  type        = list(string)

  validation {
    condition     = length(var.log_group_names) > 0 && alltrue([for g in var.log_group_names : can(regex("^[A-Za-z0-9_\\-/.#]{1,512}$", g))])
    error_message = "log_group_names must list at least one log group name (letters, digits and _ - / . #, at most 512 characters)."
  }
}

variable "bucket_name" {
  description = "S3 bucket for the Parquet files and manifests (LOGEXPORT_S3_BUCKET). Created by the module unless create_bucket = false, in which case it must exist and its own policy is yours to keep."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }
}

variable "lambda_zip_path" {
  description = "The bundle `npm run build` writes: dist/logexport-lambda.zip. It must exist before `terraform plan` (the function's source_code_hash is read from it)."
  type        = string

  validation {
    condition     = fileexists(var.lambda_zip_path)
    error_message = "lambda_zip_path names no file: run `npm ci && npm run build` at the repository's root first (it writes dist/logexport-lambda.zip), then plan."
  }
}

# Optional: what is exported --------------------------------------------------------------------

variable "exports" {
  description = "Exports each scheduled hour runs (LOGEXPORT_EXPORTS): \"access\" (PyPI API access logs) and content types \"python\", \"rpm\", \"maven\" (content-app download logs). One failing does not stop the others."
  type        = list(string)
  default     = ["access"]

  validation {
    condition     = length(var.exports) > 0 && length(distinct(var.exports)) == length(var.exports) && alltrue([for e in var.exports : contains(["access", "python", "rpm", "maven"], e)])
    error_message = "exports must list each of access, python, rpm, maven at most once, and at least one."
  }
}

variable "log_stream_name" {
  description = "Only this log stream (LOGEXPORT_LOG_STREAM); null for every stream of the groups."
  type        = string
  default     = null

  validation {
    condition     = var.log_stream_name == null || can(regex("^[^:*\"\\\\]{1,512}$", var.log_stream_name))
    error_message = "log_stream_name must be a log stream name without : * \" or \\."
  }
}

variable "prefix" {
  description = "Key prefix of the access export (LOGEXPORT_S3_PREFIX)."
  type        = string
  default     = "pulp-access-logs"

  # The role may write <bucket>/<prefix>/*: a * or ? here would widen that to other keys.
  validation {
    condition     = can(regex("^[A-Za-z0-9!_.'()-]+(/[A-Za-z0-9!_.'()-]+)*$", var.prefix))
    error_message = "prefix must be one or more S3 key segments of letters, digits and ! _ . ' ( ) - separated by single / (no *, ? or empty segments: it becomes part of the role's policy)."
  }
}

variable "content_prefix" {
  description = "Key prefix of the content exports (LOGEXPORT_CONTENT_S3_PREFIX); each type writes under <content_prefix>/<type>/."
  type        = string
  default     = "pulp-content-logs"

  # The role may write <bucket>/<content_prefix>/<type>/*: a * or ? here would widen that to other keys.
  validation {
    condition     = can(regex("^[A-Za-z0-9!_.'()-]+(/[A-Za-z0-9!_.'()-]+)*$", var.content_prefix))
    error_message = "content_prefix must be one or more S3 key segments of letters, digits and ! _ . ' ( ) - separated by single / (no *, ? or empty segments: it becomes part of the role's policy)."
  }
}

variable "content_path_prefix" {
  description = "The content app's request path prefix (LOGEXPORT_CONTENT_PATH_PREFIX)."
  type        = string
  default     = "/api/pulp-content/"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._~/-]*/$", var.content_path_prefix))
    error_message = "content_path_prefix must be a path that starts and ends with /."
  }
}

variable "filter_paths" {
  description = "Request path prefixes the access export keeps (LOGEXPORT_FILTER_PATHS)."
  type        = list(string)
  default     = ["/api/pypi/"]

  validation {
    condition     = alltrue([for p in var.filter_paths : can(regex("^/[A-Za-z0-9._~/-]*$", p))])
    error_message = "filter_paths must be paths starting with / made of letters, digits and . _ ~ / -."
  }
}

variable "exclude_paths" {
  description = "Request path prefixes every export drops, e.g. health checks (LOGEXPORT_EXCLUDE_PATHS)."
  type        = list(string)
  default     = ["/livez", "/status"]

  validation {
    condition     = alltrue([for p in var.exclude_paths : can(regex("^/[A-Za-z0-9._~/-]*$", p))])
    error_message = "exclude_paths must be paths starting with / made of letters, digits and . _ ~ / -."
  }
}

variable "enrich" {
  description = "Add method, path, response_bytes, duration_ms, correlation_id, is_bot and threat columns to the access export (LOGEXPORT_ENRICH)."
  type        = bool
  default     = false
}

variable "sanitize" {
  description = "\"on\": string columns pass through the built-in sanitizer rules (LOGEXPORT_SANITIZE). Rules that pseudonymize need a key: hmac_key_secret_arn."
  type        = string
  default     = "off"

  validation {
    condition     = contains(["on", "off"], var.sanitize)
    error_message = "sanitize must be \"on\" or \"off\"."
  }
}

variable "sanitizer_config" {
  description = "Sanitizer config (docs/sanitizer.md) as YAML or JSON text, e.g. file(\"sanitizer.yaml\") or jsonencode({ version = 1, fieldRules = [{ path = \"user\", action = \"pseudonymize\" }] }). The module hands the function its JSON (LOGEXPORT_SANITIZER_CONFIG; the Lambda's bundle has no YAML parser), checked at cold start. null: the built-in rules. Applies with sanitize = \"on\"."
  type        = string
  default     = null

  validation {
    condition     = var.sanitizer_config == null || can(keys(yamldecode(var.sanitizer_config)))
    error_message = "sanitizer_config must be a YAML or JSON object (version: 1, detectors, fieldRules, customRules, allow): see docs/sanitizer.md."
  }
}

variable "hmac_key_secret_arn" {
  description = "Full ARN (with its six-character suffix) of a Secrets Manager secret whose SecretString holds the key for keyed pseudonyms, hex or base64 of at least 32 bytes (LOGEXPORT_HMAC_KEY_SECRET_ARN). The function reads it once at cold start and fails if it cannot; the role may read exactly this secret. null: no key, so pseudonymizing rules fail at start-up."
  type        = string
  default     = null

  validation {
    condition     = var.hmac_key_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}-[A-Za-z0-9]{6}$", var.hmac_key_secret_arn))
    error_message = "hmac_key_secret_arn must be the full ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)."
  }
}

variable "hmac_key_secret_kms_key_arn" {
  description = "Customer-managed KMS key the HMAC key's secret is encrypted with; null for the AWS managed key aws/secretsmanager, which needs no grant. The role gets kms:Decrypt on this key only, through Secrets Manager, for that secret."
  type        = string
  default     = null

  validation {
    condition     = var.hmac_key_secret_kms_key_arn == null || (var.hmac_key_secret_arn != null && can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-fA-F-]{36}$", var.hmac_key_secret_kms_key_arn)))
    error_message = "hmac_key_secret_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), and needs hmac_key_secret_arn."
  }
}

# Optional: schedule and sizing ------------------------------------------------------------------

variable "schedule_minute" {
  description = "Minute of every hour at which the export of the previous hour runs (the seed's CronJob ran at :15)."
  type        = number
  default     = 15

  validation {
    condition     = var.schedule_minute >= 0 && var.schedule_minute <= 59 && floor(var.schedule_minute) == var.schedule_minute
    error_message = "schedule_minute must be a whole number from 0 to 59."
  }
}

variable "delay_minutes" {
  description = "The run exports the last full hour that ended at least this long before the schedule's time (LOGEXPORT_DELAY_MINUTES): room for late ingestion. At most schedule_minute, or the run exports the hour before the previous one."
  type        = number
  default     = 15

  validation {
    condition     = var.delay_minutes >= 0 && var.delay_minutes <= var.schedule_minute && floor(var.delay_minutes) == var.delay_minutes
    error_message = "delay_minutes must be a whole number from 0 to schedule_minute."
  }
}

variable "query_concurrency" {
  description = "Logs Insights queries in flight at once (LOGEXPORT_QUERY_CONCURRENCY); the account allows 30 in all."
  type        = number
  default     = 4

  validation {
    condition     = var.query_concurrency >= 1 && var.query_concurrency <= 30 && floor(var.query_concurrency) == var.query_concurrency
    error_message = "query_concurrency must be a whole number from 1 to 30."
  }
}

variable "seconds_per_hour_estimate" {
  description = "Expected seconds to export one hour of one export (LOGEXPORT_SECONDS_PER_HOUR_ESTIMATE); a manual range that would not finish in the invocation's time is refused."
  type        = number
  default     = 120

  validation {
    condition     = var.seconds_per_hour_estimate >= 1 && var.seconds_per_hour_estimate <= 3600 && floor(var.seconds_per_hour_estimate) == var.seconds_per_hour_estimate
    error_message = "seconds_per_hour_estimate must be a whole number from 1 to 3600."
  }
}

variable "state_prefix" {
  description = "Key prefix of the manifests and the daily ledger in the bucket (LOGEXPORT_STATE_PREFIX); the function reads and writes only there besides the export prefixes."
  type        = string
  default     = "_logexport"

  # The role may read, write and list <bucket>/<state_prefix>/*: a * or ? here would widen that to other keys.
  validation {
    condition     = can(regex("^[A-Za-z0-9_.=-]+(/[A-Za-z0-9_.=-]+)*$", var.state_prefix)) && !can(regex("(^|/)\\.{1,2}(/|$)", var.state_prefix))
    error_message = "state_prefix must be one or more key segments of letters, digits and _ . = - separated by single / (no *, ? or empty segments: it becomes part of the role's policy), without . or .. segments."
  }
}

variable "late_data_lookback_hours" {
  description = "Hours before the exported one that each scheduled run re-counts (one histogram query per export), re-exporting any whose line count grew (LOGEXPORT_LATE_DATA_LOOKBACK_HOURS); 0 disables."
  type        = number
  default     = 48

  validation {
    condition     = var.late_data_lookback_hours >= 0 && var.late_data_lookback_hours <= 720 && floor(var.late_data_lookback_hours) == var.late_data_lookback_hours
    error_message = "late_data_lookback_hours must be a whole number from 0 to 720."
  }
}

variable "memory_mb" {
  description = "Lambda memory. One hour is encoded one 100,000-row group at a time; npm run bench -- aws-export measures the peak (about 0.4-0.7 GB for 1,000,000 lines)."
  type        = number
  default     = 1536

  validation {
    condition     = var.memory_mb >= 512 && var.memory_mb <= 10240 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number from 512 to 10240."
  }
}

variable "heap_mb" {
  description = "V8 old-space limit (NODE_OPTIONS=--max-old-space-size): without it V8 sizes the heap from the host, not the function, and lets garbage pile up (docs/parquet-writers.md, the memory finding). Must leave room below memory_mb."
  type        = number
  default     = 1024

  validation {
    condition     = var.heap_mb >= 256 && var.heap_mb <= var.memory_mb - 256 && floor(var.heap_mb) == var.heap_mb
    error_message = "heap_mb must be a whole number from 256 to memory_mb - 256."
  }
}

variable "timeout_seconds" {
  description = "Lambda timeout; 900 is the service maximum."
  type        = number
  default     = 900

  validation {
    condition     = var.timeout_seconds >= 60 && var.timeout_seconds <= 900 && floor(var.timeout_seconds) == var.timeout_seconds
    error_message = "timeout_seconds must be a whole number from 60 to 900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of the function (reserved_concurrent_executions). 1: one run at a time, so the schedule and a manual run never write the same hour's object together; a second invocation meanwhile is throttled (a manual `aws lambda invoke` gets TooManyRequestsException, a scheduled event is retried by Lambda for up to an hour). null: unreserved, for accounts whose concurrency quota is too small to reserve any (Lambda keeps 100 unreserved)."
  type        = number
  default     = 1

  validation {
    condition     = var.reserved_concurrency == null ? true : var.reserved_concurrency >= 1 && var.reserved_concurrency <= 1000 && floor(var.reserved_concurrency) == var.reserved_concurrency
    error_message = "reserved_concurrency must be null or a whole number from 1 to 1000 (0 would stop the function)."
  }
}

variable "retry_attempts" {
  description = "Times Lambda retries a failed scheduled invocation (0-2) before the event goes to the dead-letter queue. A retry re-exports the same hour to the same keys."
  type        = number
  default     = 2

  validation {
    condition     = contains([0, 1, 2], var.retry_attempts)
    error_message = "retry_attempts must be 0, 1 or 2 (the Lambda asynchronous invocation limits)."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's own logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, …, 3653)."
  }
}

# Optional: the bucket ---------------------------------------------------------------------------

variable "create_bucket" {
  description = "Create the bucket with public access blocked, SSE, versioning, a TLS-only policy and a lifecycle rule; false to write to an existing bucket (the module then only grants the role access to its prefixes)."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for SSE-KMS; null for SSE-S3 (AES256). The role gets kms:GenerateDataKey and kms:Decrypt on this key only."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-fA-F-]{36}$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "glacier_after_days" {
  description = "Move exported objects to S3 Glacier Flexible Retrieval after this many days (created bucket only)."
  type        = number
  default     = 90

  validation {
    condition     = var.glacier_after_days >= 1 && floor(var.glacier_after_days) == var.glacier_after_days
    error_message = "glacier_after_days must be a whole number of days, at least 1."
  }
}

variable "expire_after_days" {
  description = "Delete exported objects after this many days; null keeps them (created bucket only)."
  type        = number
  default     = null

  validation {
    condition     = var.expire_after_days == null || try(var.expire_after_days > var.glacier_after_days + 90, false)
    error_message = "expire_after_days must be null or more than glacier_after_days + 90 (Glacier's minimum storage duration)."
  }
}

variable "noncurrent_version_days" {
  description = "Delete overwritten (non-current) versions after this many days: a re-export replaces an hour's object."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_days >= 1 && floor(var.noncurrent_version_days) == var.noncurrent_version_days
    error_message = "noncurrent_version_days must be a whole number of days, at least 1."
  }
}

# Optional: Athena and alarms --------------------------------------------------------------------

variable "create_glue_tables" {
  description = "Create a Glue database with one table per export, with partition projection, so Athena can query the Parquet output without crawlers or MSCK REPAIR."
  type        = bool
  default     = true
}

variable "glue_database_name" {
  description = "Name of the Glue database (lowercase letters, digits, underscores)."
  type        = string
  default     = "pulp_logs"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.glue_database_name))
    error_message = "glue_database_name must be lowercase letters, digits and underscores."
  }
}

variable "projection_start_year" {
  description = "First year Athena's partition projection considers."
  type        = number
  default     = 2026

  validation {
    condition     = var.projection_start_year >= 2000 && var.projection_start_year <= 2100 && floor(var.projection_start_year) == var.projection_start_year
    error_message = "projection_start_year must be a year from 2000 to 2100."
  }
}

variable "alarm_email_addresses" {
  description = "Addresses that receive the alarms (an SNS topic is created when this is not empty; each address must confirm its subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", a))])
    error_message = "alarm_email_addresses must be email addresses."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
