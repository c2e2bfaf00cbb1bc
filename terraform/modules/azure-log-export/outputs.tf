output "function_app_name" {
  description = "Name of the Flex Consumption function app."
  value       = azurerm_function_app_flex_consumption.this.name
}

output "function_app_default_hostname" {
  description = "Default hostname of the function app."
  value       = azurerm_function_app_flex_consumption.this.default_hostname
}

output "backfill_url" {
  description = "POST a backfill request here (with a function key: ?code= or the x-functions-key header)."
  value       = "https://${azurerm_function_app_flex_consumption.this.default_hostname}/api/backfill"
}

output "status_url" {
  description = "GET coverage (?table=&start=&end=) or a backfill's progress (?runId=) here, signed in with Entra ID as a caller with LogExport.Read."
  value       = "https://${azurerm_function_app_flex_consumption.this.default_hostname}/api/status"
}

output "coverage_url" {
  description = "The coverage page (GET, HTML), signed in with Entra ID as a caller with LogExport.Read."
  value       = "https://${azurerm_function_app_flex_consumption.this.default_hostname}/api/coverage"
}

output "function_key_command" {
  description = "With function_keys_enabled only (else null): prints the app's default host key, accepted by every HTTP function (send it in the x-functions-key header, never in a URL)."
  value       = !var.function_keys_enabled ? null : "az functionapp keys list --resource-group '${var.resource_group_name}' --name '${azurerm_function_app_flex_consumption.this.name}' --query functionKeys.default --output tsv"
}

output "post_apply_commands" {
  description = "Shell commands to run (Azure CLI, signed in) after every apply that creates or changes the function app, unless run_post_apply_steps ran them: remove the provider-injected AzureWebJobsStorage setting, set the Key Vault reference identity (with the HMAC key), deploy the zip."
  value       = local.post_apply_commands
}

output "export_storage_account_name" {
  description = "Storage account of the exported data, the state and the job queues."
  value       = azurerm_storage_account.export.name
}

output "export_storage_blob_endpoint" {
  description = "Blob endpoint of the export account (for `npx logexport status --account-url`)."
  value       = azurerm_storage_account.export.primary_blob_endpoint
}

output "host_storage_account_name" {
  description = "Storage account of the Functions host (AzureWebJobsStorage) and the deployment package."
  value       = azurerm_storage_account.host.name
}

output "data_container_name" {
  description = "Container of the exported data, or its {table} template (LOGEXPORT_CONTAINER)."
  value       = var.data_container_name
}

output "data_container_names" {
  description = "Every data container created, by table (or \"all\" when the tables share one)."
  value       = { for k, c in azurerm_storage_container.data : k => c.name }
}

output "state_container_name" {
  description = "Container of watermarks, manifests, run records and the ledger (LOGEXPORT_STATE_CONTAINER)."
  value       = azurerm_storage_container.state.name
}

output "queue_name" {
  description = "Queue of window jobs (LOGEXPORT_QUEUE)."
  value       = azurerm_storage_queue.jobs.name
}

output "backfill_queue_name" {
  description = "Queue of backfill jobs (LOGEXPORT_BACKFILL_QUEUE), served while queue_name is empty."
  value       = azurerm_storage_queue.backfill.name
}

output "poison_queue_name" {
  description = "Queue the Functions host moves failed jobs to."
  value       = azurerm_storage_queue.poison.name
}

output "identity_id" {
  description = "Resource ID of the user-assigned managed identity."
  value       = azurerm_user_assigned_identity.this.id
}

output "identity_client_id" {
  description = "Client ID of the user-assigned managed identity."
  value       = azurerm_user_assigned_identity.this.client_id
}

output "identity_principal_id" {
  description = "Principal (object) ID of the user-assigned managed identity, e.g. to grant it more workspaces."
  value       = azurerm_user_assigned_identity.this.principal_id
}

output "application_insights_id" {
  description = "Resource ID of the function app's Application Insights (the scope of both alerts)."
  value       = azurerm_application_insights.this.id
}

output "app_setting_names" {
  description = "Names of the app settings this module sets (values omitted)."
  value       = sort(keys(local.app_settings))
}

output "alert_rule_names" {
  description = "The poison-message and export-lag log alert rules (Azure Monitor, scheduled query rules v2)."
  value       = [azurerm_monitor_scheduled_query_rules_alert_v2.poison.name, azurerm_monitor_scheduled_query_rules_alert_v2.export_lag.name]
}

output "alert_action_group_name" {
  description = "The action group alert_email_addresses creates, null without addresses (`az monitor action-group test-notifications create` sends its receivers a test)."
  value       = one(azurerm_monitor_action_group.alerts[*].name)
}
