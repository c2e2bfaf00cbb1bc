# Required ---------------------------------------------------------------------------------------

variable "name" {
  description = "Short name (3-11 lowercase letters and digits, starting with a letter) from which every resource name is derived: storage accounts <name>logexport and <name>logexphost, function app <name>-logexport. Storage account and function app names are global in Azure, so pick something unique."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{2,10}$", var.name))
    error_message = "name must be 3-11 lowercase letters and digits, starting with a letter (the storage account names it yields must stay within 24 characters)."
  }
}

variable "resource_group_name" {
  description = "Existing resource group that receives every resource of this module."
  type        = string

  validation {
    condition     = can(regex("^[-\\w\\.\\(\\)]{1,89}[-\\w\\(\\)]$", var.resource_group_name))
    error_message = "resource_group_name must be 1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period."
  }
}

variable "location" {
  description = "Azure region, e.g. \"westeurope\". It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+$", replace(lower(var.location), " ", "")))
    error_message = "location must be a region name such as \"westeurope\" or \"West Europe\"."
  }
}

variable "workspace_resource_id" {
  description = "Azure resource ID of the Log Analytics workspace to export from (/subscriptions/…/providers/Microsoft.OperationalInsights/workspaces/…). The identity gets Log Analytics Reader on exactly this scope."
  type        = string

  validation {
    # Case-sensitive, as the provider parses it (Application Insights' workspace_id): `resourcegroups` is refused at plan.
    condition     = can(regex("^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/Microsoft\\.OperationalInsights/workspaces/[^/]+$", var.workspace_resource_id))
    error_message = "workspace_resource_id must be a Log Analytics workspace resource ID, spelled as Azure returns it (case matters): /subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>."
  }
}

variable "workspace_id" {
  description = "The same workspace's workspace ID (customer ID, a GUID; `az monitor log-analytics workspace show --query customerId`). Becomes LOGEXPORT_WORKSPACE_ID. Asked for separately so no data source has to read the workspace (its data source also reads the shared keys into state) and so the workspace may live in another subscription."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.workspace_id))
    error_message = "workspace_id must be the workspace GUID (customer ID), e.g. 00000000-0000-0000-0000-000000000000."
  }
}

variable "tables" {
  description = "Log Analytics tables to export (LOGEXPORT_TABLES), e.g. [\"AppRequests\", \"SecurityEvent\"]."
  type        = list(string)

  validation {
    condition     = length(var.tables) > 0 && alltrue([for t in var.tables : can(regex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", t))])
    error_message = "tables must list at least one table name: a letter or underscore, then letters, digits or underscores, at most 63 characters (custom tables end in _CL)."
  }

  validation {
    condition     = length(distinct(var.tables)) == length(var.tables)
    error_message = "tables lists a table twice."
  }
}

# The deployment package ----------------------------------------------------------------------

variable "package_path" {
  description = "Path of the zip built by `npm run build` (dist/logexport-functions.zip). The azurerm provider cannot deploy a package to a Flex Consumption app, so this path is only used by the post-apply commands (run_post_apply_steps, or output post_apply_commands)."
  type        = string
  default     = null

  validation {
    condition     = var.package_path == null ? true : endswith(var.package_path, ".zip")
    error_message = "package_path must name a .zip file (dist/logexport-functions.zip)."
  }
}

variable "run_post_apply_steps" {
  description = "Run the post-apply commands from `terraform apply` (a local-exec provisioner): remove the AzureWebJobsStorage setting the provider injects, set the Key Vault reference identity, deploy the zip. Needs the Azure CLI, signed in, on the machine running Terraform, and package_path pointing at the built zip. false leaves an app that cannot run until someone runs output post_apply_commands: the host finds a key-based AzureWebJobsStorage without a key (shared key access is off) and no package is deployed."
  type        = bool
  default     = true

  validation {
    condition     = var.run_post_apply_steps ? var.package_path != null : true
    error_message = "run_post_apply_steps needs package_path (the zip `npm run build` writes); set run_post_apply_steps = false only if you run output post_apply_commands yourself after every apply."
  }

  validation {
    condition     = var.run_post_apply_steps && var.package_path != null ? fileexists(var.package_path) : true
    error_message = "package_path names no file: run `npm ci && npm run build` at the repository's root first (it writes dist/logexport-functions.zip), then plan."
  }
}

# Export settings (each becomes the LOGEXPORT_* app setting named in its description) -----------

variable "logs_endpoint" {
  description = "AZURE_LOGS_ENDPOINT: Log Analytics query endpoint including /v1. Change it for sovereign clouds only."
  type        = string
  default     = "https://api.loganalytics.io/v1"

  validation {
    condition     = can(regex("^https://[^/\\s]+(/[^\\s]*)?$", var.logs_endpoint))
    error_message = "logs_endpoint must be an https URL such as https://api.loganalytics.io/v1."
  }
}

variable "data_container_name" {
  description = "LOGEXPORT_CONTAINER: blob container of the exported data, or a template with {table} giving each table of var.tables its own (logs-{table} → logs-apprequests, logs-custom-cl: lowercase, _ as -). Every container is created here, and the identity's role is scoped to each one."
  type        = string
  default     = "log-exports"

  # The same rules as the settings (shared/settings/azure.ts): every name the template gives is a valid container name …
  validation {
    condition     = alltrue([for t in var.tables : can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", replace(var.data_container_name, "{table}", lower(replace(t, "_", "-"))))) && !strcontains(replace(var.data_container_name, "{table}", lower(replace(t, "_", "-"))), "--")])
    error_message = "data_container_name must give 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit, for every table (with {table} replaced by the table name in lowercase, _ as -)."
  }

  # … no two tables share one …
  validation {
    condition     = !strcontains(var.data_container_name, "{table}") || length(distinct([for t in var.tables : replace(var.data_container_name, "{table}", lower(replace(t, "_", "-")))])) == length(var.tables)
    error_message = "data_container_name gives two tables the same container (table names that differ only in case or _ and -)."
  }

  # … and none is the state container.
  validation {
    condition     = !contains([for t in var.tables : replace(var.data_container_name, "{table}", lower(replace(t, "_", "-")))], var.state_container_name)
    error_message = "data_container_name and state_container_name must name different containers."
  }
}

variable "state_container_name" {
  description = "LOGEXPORT_STATE_CONTAINER: blob container of watermarks, manifests, run records and the ledger (created here)."
  type        = string
  default     = "log-export-state"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.state_container_name)) && !strcontains(var.state_container_name, "--")
    error_message = "state_container_name must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit."
  }
}

variable "queue_name" {
  description = "LOGEXPORT_QUEUE: storage queue of window jobs (created here, with <queue_name>-poison, where the Functions host moves a job after host.json maxDequeueCount failures)."
  type        = string
  default     = "log-export-windows"

  validation {
    # 56, not 63: the host appends "-poison" to this name.
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,54}[a-z0-9]$", var.queue_name)) && !strcontains(var.queue_name, "--")
    error_message = "queue_name must be 3-56 lowercase letters, digits and single hyphens (the host appends -poison), starting and ending with a letter or digit."
  }
}

variable "backfill_queue_name" {
  description = "LOGEXPORT_BACKFILL_QUEUE: storage queue of backfill jobs (created here, with <backfill_queue_name>-poison). Its worker defers each job while queue_name holds any, so scheduled windows go first (docs/capacity.md)."
  type        = string
  default     = "log-export-backfill"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,54}[a-z0-9]$", var.backfill_queue_name)) && !strcontains(var.backfill_queue_name, "--")
    error_message = "backfill_queue_name must be 3-56 lowercase letters, digits and single hyphens (the host appends -poison), starting and ending with a letter or digit."
  }

  validation {
    condition     = var.backfill_queue_name != var.queue_name
    error_message = "backfill_queue_name must differ from queue_name: the scheduled windows' priority depends on two queues."
  }
}

variable "prefix" {
  description = "LOGEXPORT_PREFIX: path prefix inside the data container; empty puts objects at table=<T>/…. The lifecycle rule follows it."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([A-Za-z0-9._=-]+(/[A-Za-z0-9._=-]+)*)?$", var.prefix))
    error_message = "prefix must be empty or /-separated segments of letters, digits and . _ = - (no leading or trailing slash)."
  }
}

variable "planner_schedule" {
  description = "LOGEXPORT_PLANNER_SCHEDULE: six-field NCRONTAB expression (second minute hour day month day-of-week, UTC) of the planner timer. null (the default): hourly, 5 minutes after ingestion_delay_minutes completes the last window (minute 25 with the default delay), so a window waits no longer than it must."
  type        = string
  default     = null

  validation {
    condition     = var.planner_schedule == null || can(regex("^[0-9A-Za-z*/,-]+( [0-9A-Za-z*/,-]+){5}$", var.planner_schedule))
    error_message = "planner_schedule must be null (derived from ingestion_delay_minutes) or a six-field NCRONTAB expression separated by single spaces, e.g. \"0 25 * * * *\" (minute 25 of every hour)."
  }
}

variable "window_minutes" {
  description = "LOGEXPORT_WINDOW_MINUTES: export window size in minutes; must divide a day (1, 5, 10, 15, 30, 60, 120, … 1440)."
  type        = number
  default     = 60

  validation {
    condition     = var.window_minutes >= 1 && var.window_minutes <= 1440 && floor(var.window_minutes) == var.window_minutes && 1440 % var.window_minutes == 0
    error_message = "window_minutes must be a whole number of minutes that divides 1440 (a day)."
  }
}

variable "ingestion_delay_minutes" {
  description = "LOGEXPORT_INGESTION_DELAY_MINUTES: a window is exported only when its end is this far in the past."
  type        = number
  default     = 20

  validation {
    condition     = var.ingestion_delay_minutes >= 0 && var.ingestion_delay_minutes <= 2880 && floor(var.ingestion_delay_minutes) == var.ingestion_delay_minutes
    error_message = "ingestion_delay_minutes must be a whole number from 0 to 2880."
  }
}

variable "max_windows_per_run" {
  description = "LOGEXPORT_MAX_WINDOWS_PER_RUN: most windows one planner run enqueues per table."
  type        = number
  default     = 48

  validation {
    condition     = var.max_windows_per_run >= 1 && var.max_windows_per_run <= 10000 && floor(var.max_windows_per_run) == var.max_windows_per_run
    error_message = "max_windows_per_run must be a whole number from 1 to 10000."
  }
}

variable "initial_lookback_hours" {
  description = "LOGEXPORT_INITIAL_LOOKBACK_HOURS: where a table without a watermark starts, counted back from the newest complete window."
  type        = number
  default     = 24

  validation {
    condition     = var.initial_lookback_hours >= 0 && var.initial_lookback_hours <= 17520 && floor(var.initial_lookback_hours) == var.initial_lookback_hours
    error_message = "initial_lookback_hours must be a whole number from 0 to 17520 (two years)."
  }
}

variable "late_data_lookback_hours" {
  description = "LOGEXPORT_LATE_DATA_LOOKBACK_HOURS: how far back each planner run re-counts exported windows to re-export late rows (0 disables). Re-exports overwrite blobs, which a container immutability policy forbids: see immutability_period_days."
  type        = number
  default     = 48

  validation {
    condition     = var.late_data_lookback_hours >= 0 && var.late_data_lookback_hours <= 720 && floor(var.late_data_lookback_hours) == var.late_data_lookback_hours
    error_message = "late_data_lookback_hours must be a whole number from 0 to 720."
  }
}

variable "workspace_retention_days" {
  description = "LOGEXPORT_WORKSPACE_RETENTION_DAYS: the workspace's (interactive) retention; backfills reaching further back are refused. Set it to the workspace's value (`az monitor log-analytics workspace show --query retentionInDays`)."
  type        = number
  default     = 30

  validation {
    condition     = var.workspace_retention_days >= 1 && var.workspace_retention_days <= 4383 && floor(var.workspace_retention_days) == var.workspace_retention_days
    error_message = "workspace_retention_days must be a whole number from 1 to 4383."
  }
}

variable "backfill_daily_windows" {
  description = "LOGEXPORT_BACKFILL_DAILY_WINDOWS: most windows all POST /api/backfill requests of one UTC day may cover together (each window is at least one Log Analytics query). Counted in the state container, so it holds across instances; a request over it gets 429 with Retry-After until midnight UTC."
  type        = number
  default     = 200000

  validation {
    condition     = var.backfill_daily_windows >= 1 && var.backfill_daily_windows <= 100000000 && floor(var.backfill_daily_windows) == var.backfill_daily_windows
    error_message = "backfill_daily_windows must be a whole number from 1 to 100000000."
  }
}

variable "hmac_key_secret_uri" {
  description = "Optional Key Vault secret URI (https://<vault>.vault.azure.net/secrets/<name>[/<version>]) holding the sanitizer's HMAC key (hex or base64, at least 32 bytes). Sets LOGEXPORT_HMAC_KEY to a Key Vault reference and grants the identity Key Vault Secrets User on that one secret. Needs key_vault_id."
  type        = string
  default     = null

  validation {
    condition     = var.hmac_key_secret_uri == null ? true : can(regex("^https://[a-zA-Z0-9-]{3,24}\\.vault\\.[a-z0-9.]+/secrets/[a-zA-Z0-9-]{1,127}(/[0-9a-fA-F]{32})?/?$", var.hmac_key_secret_uri))
    error_message = "hmac_key_secret_uri must be a Key Vault secret URI: https://<vault>.vault.azure.net/secrets/<name> with an optional /<version>."
  }

  # Both cross-checks live here, not on key_vault_id: two variables whose validations refer to each
  # other would make a dependency cycle.
  validation {
    condition     = var.hmac_key_secret_uri == null ? true : var.key_vault_id != null
    error_message = "hmac_key_secret_uri needs key_vault_id (the vault's resource ID) for the role assignment."
  }

  validation {
    condition = (var.hmac_key_secret_uri == null || var.key_vault_id == null) ? true : (
      lower(regex("^https://([^.]+)\\.", var.hmac_key_secret_uri)[0]) == lower(element(split("/", var.key_vault_id), 8))
    )
    error_message = "hmac_key_secret_uri must name the vault given by key_vault_id."
  }
}

variable "key_vault_id" {
  description = "Resource ID of the Key Vault (RBAC authorization mode) that holds hmac_key_secret_uri. Used only with it."
  type        = string
  default     = null

  validation {
    condition     = var.key_vault_id == null ? true : can(regex("(?i)^/subscriptions/[0-9a-f-]{36}/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[a-zA-Z0-9-]{3,24}$", var.key_vault_id))
    error_message = "key_vault_id must be a Key Vault resource ID: /subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>."
  }

}

# Export storage --------------------------------------------------------------------------------

variable "export_storage_replication_type" {
  description = "Replication of the export storage account: LRS, GRS or RAGRS (the Archive tier is not available on ZRS, GZRS or RAGZRS accounts)."
  type        = string
  default     = "LRS"

  validation {
    condition     = contains(["LRS", "GRS", "RAGRS", "ZRS", "GZRS", "RAGZRS"], var.export_storage_replication_type)
    error_message = "export_storage_replication_type must be one of LRS, GRS, RAGRS, ZRS, GZRS, RAGZRS."
  }

  validation {
    condition     = var.archive_after_days == null ? true : contains(["LRS", "GRS", "RAGRS"], var.export_storage_replication_type)
    error_message = "The Archive tier needs LRS, GRS or RAGRS: choose one of those or set archive_after_days = null."
  }
}

variable "cool_after_days" {
  description = "Days after last modification when exported data blobs move from Hot to Cool."
  type        = number
  default     = 30

  validation {
    condition     = var.cool_after_days >= 0 && var.cool_after_days <= 99999 && floor(var.cool_after_days) == var.cool_after_days
    error_message = "cool_after_days must be a whole number from 0 to 99999."
  }
}

variable "archive_after_days" {
  description = "Days after last modification when exported data blobs move to Archive (null: never). Archived blobs must be rehydrated (hours) before they can be read; 180 days avoids Cool's early-deletion charge."
  type        = number
  default     = 180

  validation {
    condition     = var.archive_after_days == null ? true : (var.archive_after_days > var.cool_after_days && var.archive_after_days <= 99999 && floor(var.archive_after_days) == var.archive_after_days)
    error_message = "archive_after_days must be null or a whole number greater than cool_after_days (at most 99999)."
  }
}

variable "delete_after_days" {
  description = "Days after last modification when exported data blobs are deleted (null: keep forever). Must exceed archive_after_days when both are set."
  type        = number
  default     = null

  validation {
    condition = var.delete_after_days == null ? true : (
      var.delete_after_days >= 1 && var.delete_after_days <= 99999 && floor(var.delete_after_days) == var.delete_after_days &&
      var.delete_after_days > (var.archive_after_days == null ? var.cool_after_days : var.archive_after_days)
    )
    error_message = "delete_after_days must be null or a whole number (at most 99999) greater than archive_after_days (or cool_after_days when archive is off)."
  }
}

variable "previous_version_retention_days" {
  description = "Days after which previous blob versions (made when a late-data re-export or a forced backfill overwrites a part, or when the planner overwrites a watermark) are deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.previous_version_retention_days >= 1 && var.previous_version_retention_days <= 99999 && floor(var.previous_version_retention_days) == var.previous_version_retention_days
    error_message = "previous_version_retention_days must be a whole number from 1 to 99999."
  }
}

variable "soft_delete_retention_days" {
  description = "Soft-delete retention of deleted blobs and deleted containers in the export account, in days."
  type        = number
  default     = 14

  validation {
    condition     = var.soft_delete_retention_days >= 1 && var.soft_delete_retention_days <= 365 && floor(var.soft_delete_retention_days) == var.soft_delete_retention_days
    error_message = "soft_delete_retention_days must be a whole number from 1 to 365."
  }
}

variable "immutability_period_days" {
  description = "Optional time-based retention (WORM) on the data container, in days; 0 disables it. Blobs under it can be neither overwritten nor deleted, so late-data re-exports and forced backfills of windows younger than this fail (and end in the poison queue): set late_data_lookback_hours = 0 with it. The state container is never made immutable (watermarks are rewritten every run)."
  type        = number
  default     = 0

  validation {
    condition     = var.immutability_period_days >= 0 && var.immutability_period_days <= 146000 && floor(var.immutability_period_days) == var.immutability_period_days
    error_message = "immutability_period_days must be a whole number from 0 (off) to 146000."
  }

  validation {
    condition     = var.immutability_period_days == 0 ? true : var.late_data_lookback_hours == 0
    error_message = "immutability_period_days > 0 forbids the overwrites that late-data re-export makes: also set late_data_lookback_hours = 0."
  }
}

variable "immutability_locked" {
  description = "Lock the immutability policy. Irreversible: a locked policy can only be lengthened, and the container and the storage account can no longer be deleted (terraform destroy fails) until every blob has aged out."
  type        = bool
  default     = false
}

# Function app ----------------------------------------------------------------------------------

variable "node_version" {
  description = "Node.js version of the Flex Consumption runtime (the build targets Node 20 syntax and runs on 22)."
  type        = string
  default     = "22"

  validation {
    condition     = contains(["20", "22"], var.node_version)
    error_message = "node_version must be \"20\" or \"22\"."
  }
}

variable "maximum_instance_count" {
  description = "Most on-demand Flex Consumption instances. Azure's API documents the limit per function group, not per app: the worker (queue trigger), the planner (timer) and the HTTP functions scale as separate groups. Azure refuses values below 40 except, as a preview since January 2026, in West Europe, Australia East and West US 2 (azure-functions-host issue 10523); the provider accepts 1-1000. It does not bound Log Analytics concurrency: max_concurrent_queries does, for all instances together (Blob leases; docs/capacity.md)."
  type        = number
  default     = 40

  validation {
    condition     = var.maximum_instance_count >= 1 && var.maximum_instance_count <= 1000 && floor(var.maximum_instance_count) == var.maximum_instance_count
    error_message = "maximum_instance_count must be a whole number from 1 to 1000 (and at least 40 outside the regions that allow less)."
  }
}

variable "max_concurrent_queries" {
  description = "LOGEXPORT_MAX_CONCURRENT_QUERIES: Log Analytics queries in flight for the app's identity, every instance together (each query holds one of this many Blob leases in the state container; backfill queries never take the last). The service runs 5 per identity and queues, then refuses (429), the rest: at most 5, so the bound holds whatever maximum_instance_count is (docs/capacity.md)."
  type        = number
  default     = 4

  validation {
    condition     = var.max_concurrent_queries >= 1 && var.max_concurrent_queries <= 5 && floor(var.max_concurrent_queries) == var.max_concurrent_queries
    error_message = "max_concurrent_queries must be a whole number from 1 to 5: the service runs 5 queries per identity at once; more in flight only wait in its queue and end in 429s. For more throughput use more identities (docs/capacity.md)."
  }
}

variable "part_attempts" {
  description = "LOGEXPORT_PART_ATTEMPTS: tries per part query inside one worker run (seed 000's max retries); the queue's maxDequeueCount (host.json) is the outer retry."
  type        = number
  default     = 3

  validation {
    condition     = var.part_attempts >= 1 && var.part_attempts <= 10 && floor(var.part_attempts) == var.part_attempts
    error_message = "part_attempts must be a whole number from 1 to 10."
  }
}

variable "retry_base_ms" {
  description = "LOGEXPORT_RETRY_BASE_MS: backoff before a part's second try, doubled before each later try, with jitter (seed 000's backoff delay)."
  type        = number
  default     = 1000

  validation {
    condition     = var.retry_base_ms >= 0 && var.retry_base_ms <= 60000 && floor(var.retry_base_ms) == var.retry_base_ms
    error_message = "retry_base_ms must be a whole number of milliseconds from 0 to 60000."
  }
}

variable "retry_max_ms" {
  description = "LOGEXPORT_RETRY_MAX_MS: longest backoff between two tries of a part; the doubling stops here. At least retry_base_ms."
  type        = number
  default     = 30000

  validation {
    condition     = var.retry_max_ms >= 0 && var.retry_max_ms <= 600000 && floor(var.retry_max_ms) == var.retry_max_ms
    error_message = "retry_max_ms must be a whole number of milliseconds from 0 to 600000."
  }
}

variable "instance_memory_in_mb" {
  description = "Memory of each Flex Consumption instance (billed per GB-second while executing). The worker streams, so 2048 is plenty."
  type        = number
  default     = 2048

  validation {
    condition     = contains([512, 2048, 4096], var.instance_memory_in_mb)
    error_message = "instance_memory_in_mb must be 512, 2048 or 4096."
  }
}

# Monitoring ------------------------------------------------------------------------------------

variable "application_insights_workspace_resource_id" {
  description = "Log Analytics workspace for the function app's Application Insights (workspace-based). Null uses the exported workspace; a separate one keeps the exporter's own logs (AppTraces, AppRequests…) out of the data being exported."
  type        = string
  default     = null

  validation {
    condition     = var.application_insights_workspace_resource_id == null ? true : can(regex("^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/Microsoft\\.OperationalInsights/workspaces/[^/]+$", var.application_insights_workspace_resource_id))
    error_message = "application_insights_workspace_resource_id must be a Log Analytics workspace resource ID, spelled as Azure returns it (case matters, as for workspace_resource_id)."
  }
}

variable "alert_email_addresses" {
  description = "Email addresses notified by the poison-message and export-lag alerts (through an action group created here). Empty: the alerts still fire and show in Azure Monitor, but notify nobody."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.alert_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", a))])
    error_message = "alert_email_addresses must be email addresses."
  }
}

variable "alert_action_group_ids" {
  description = "Existing action group resource IDs to notify as well."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.alert_action_group_ids : can(regex("(?i)^/subscriptions/[0-9a-f-]{36}/resourceGroups/[^/]+/providers/Microsoft\\.Insights/actionGroups/[^/]+$", id))])
    error_message = "alert_action_group_ids must be action group resource IDs."
  }
}

variable "export_lag_alert_minutes" {
  description = "The export-lag alert fires when, for any exported table, the newest window the worker logged as exported ended longer ago than this (or none was logged in the last 2 days). Normal lag is up to window_minutes + ingestion_delay_minutes + the planner's period."
  type        = number
  default     = 240

  validation {
    condition     = var.export_lag_alert_minutes > var.window_minutes + var.ingestion_delay_minutes && var.export_lag_alert_minutes <= 2820 && floor(var.export_lag_alert_minutes) == var.export_lag_alert_minutes
    error_message = "export_lag_alert_minutes must be a whole number greater than window_minutes + ingestion_delay_minutes and at most 2820 (the alert query looks back 2 days)."
  }
}

variable "tags" {
  description = "Tags for every resource created here."
  type        = map(string)
  default     = {}
}

variable "format" {
  description = "LOGEXPORT_FORMAT: the file format of every table, \"parquet\" (typed columns from the query's own types; docs/parquet-types.md) or \"jsonl.gz\" (gzip JSON Lines). Changing it affects new windows only; each manifest names its files' format."
  type        = string
  default     = "parquet"

  validation {
    condition     = contains(["parquet", "jsonl.gz"], var.format)
    error_message = "format must be \"parquet\" or \"jsonl.gz\"."
  }
}

variable "format_overrides" {
  description = "LOGEXPORT_FORMAT_OVERRIDES: tables whose format differs from var.format, e.g. { Syslog = \"jsonl.gz\" }. Each key must be one of var.tables."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for format in values(var.format_overrides) : contains(["parquet", "jsonl.gz"], format)])
    error_message = "each format in format_overrides must be \"parquet\" or \"jsonl.gz\"."
  }
}

variable "entra_client_id" {
  description = "Application (client) ID of the Entra ID app registration that signs callers in to the HTTP functions and defines the app roles LogExport.Read (status, coverage) and LogExport.Operate (backfill); docs/backfill.md shows how to create it and grant the roles."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.entra_client_id))
    error_message = "entra_client_id must be an application (client) ID, a GUID."
  }
}

variable "entra_tenant_id" {
  description = "Directory (tenant) ID of the app registration; only its sign-ins are accepted."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.entra_tenant_id))
    error_message = "entra_tenant_id must be a directory (tenant) ID, a GUID."
  }
}

variable "function_keys_enabled" {
  description = "LOGEXPORT_FUNCTION_KEYS: also accept function keys on the HTTP functions, for automation that cannot sign in with Entra ID. Off by default: a key opens every function, travels in URLs and cannot tell a reader from an operator."
  type        = bool
  default     = false
}
