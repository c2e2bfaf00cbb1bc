# Every app setting of the function app, in one place. test/unit/terraform/settings.test.ts reads
# the keys of this map and checks them against the settings table the code reads
# (shared/settings/spec.ts): add a setting on one side only and that test fails.
#
# No connection strings and no keys: storage is reached with the user-assigned identity
# (identity-based connections), Application Insights with Entra ID, the optional HMAC key through a
# Key Vault reference. The Application Insights connection string (an endpoint and a resource
# identifier, useless without the identity once local authentication is off) is set through
# site_config, which writes APPLICATIONINSIGHTS_CONNECTION_STRING.
locals {
  # The planner's minute: 5 minutes after the ingestion delay completes the last hour (docs/capacity.md,
  # Scheduled lag); an hourly window then waits the delay plus 5 minutes before it is enqueued.
  planner_schedule = coalesce(var.planner_schedule, "0 ${(var.ingestion_delay_minutes + 5) % 60} * * * *")

  app_settings = merge(
    {
      # Host storage (AzureWebJobsStorage) with the identity. The account-name form: the
      # service-URI form was reported to fail intermittently on Flex Consumption in May 2026
      # (azure-functions-host issues 11782 and 11787), with this form as the workaround.
      "AzureWebJobsStorage__accountName" = azurerm_storage_account.host.name
      "AzureWebJobsStorage__credential"  = "managedidentity"
      "AzureWebJobsStorage__clientId"    = azurerm_user_assigned_identity.this.client_id

      # The ExportStorage connection: the queue trigger's binding (connection: "ExportStorage")
      # reads __queueServiceUri, __credential and __clientId; the code's own clients read the two
      # service URIs and __clientId (shared/settings/azure.ts).
      "ExportStorage__blobServiceUri"  = trimsuffix(azurerm_storage_account.export.primary_blob_endpoint, "/")
      "ExportStorage__queueServiceUri" = trimsuffix(azurerm_storage_account.export.primary_queue_endpoint, "/")
      "ExportStorage__credential"      = "managedidentity"
      "ExportStorage__clientId"        = azurerm_user_assigned_identity.this.client_id

      # DefaultAzureCredential (@azure/identity) reads it; the code also passes ExportStorage__clientId
      # explicitly, so this only keeps any other credential in the process on the same identity.
      "AZURE_CLIENT_ID" = azurerm_user_assigned_identity.this.client_id

      # Application Insights ingestion with the identity (local authentication is disabled).
      "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" = "ClientId=${azurerm_user_assigned_identity.this.client_id};Authorization=AAD"

      # The export (docs/settings.md).
      "LOGEXPORT_WORKSPACE_ID"             = var.workspace_id
      "LOGEXPORT_TABLES"                   = join(",", var.tables)
      "AZURE_LOGS_ENDPOINT"                = var.logs_endpoint
      "LOGEXPORT_CONTAINER"                = var.data_container_name
      "LOGEXPORT_STATE_CONTAINER"          = azurerm_storage_container.state.name
      "LOGEXPORT_QUEUE"                    = azurerm_storage_queue.jobs.name
      "LOGEXPORT_BACKFILL_QUEUE"           = azurerm_storage_queue.backfill.name
      "LOGEXPORT_PLANNER_SCHEDULE"         = local.planner_schedule
      "LOGEXPORT_WINDOW_MINUTES"           = tostring(var.window_minutes)
      "LOGEXPORT_INGESTION_DELAY_MINUTES"  = tostring(var.ingestion_delay_minutes)
      "LOGEXPORT_MAX_WINDOWS_PER_RUN"      = tostring(var.max_windows_per_run)
      "LOGEXPORT_INITIAL_LOOKBACK_HOURS"   = tostring(var.initial_lookback_hours)
      "LOGEXPORT_LATE_DATA_LOOKBACK_HOURS" = tostring(var.late_data_lookback_hours)
      "LOGEXPORT_WORKSPACE_RETENTION_DAYS" = tostring(var.workspace_retention_days)
      "LOGEXPORT_BACKFILL_DAILY_WINDOWS"   = tostring(var.backfill_daily_windows)
      "LOGEXPORT_MAX_CONCURRENT_QUERIES"   = tostring(var.max_concurrent_queries)
      "LOGEXPORT_FORMAT"                   = var.format
      "LOGEXPORT_PART_ATTEMPTS"            = tostring(var.part_attempts)
      "LOGEXPORT_RETRY_BASE_MS"            = tostring(var.retry_base_ms)
      "LOGEXPORT_RETRY_MAX_MS"             = tostring(var.retry_max_ms)
      "LOGEXPORT_FUNCTION_KEYS"            = var.function_keys_enabled ? "on" : "off"
    },
    length(var.format_overrides) == 0 ? {} : {
      "LOGEXPORT_FORMAT_OVERRIDES" = join(",", [for table, format in var.format_overrides : "${table}=${format}"])
    },
    # Only when non-empty: an empty value means the same to the code (its default is empty) and
    # keeps an empty-valued app setting out of the plan.
    var.prefix == "" ? {} : {
      "LOGEXPORT_PREFIX" = var.prefix
    },
    local.hmac_enabled ? {
      # Resolved by the platform with the identity (keyVaultReferenceIdentity, set by the
      # post-apply commands) before the app sees it; the secret never enters Terraform state.
      "LOGEXPORT_HMAC_KEY" = "@Microsoft.KeyVault(SecretUri=${var.hmac_key_secret_uri})"
    } : {},
  )
}
