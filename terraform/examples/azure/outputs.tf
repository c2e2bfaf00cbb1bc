output "function_app_name" {
  value = module.log_export.function_app_name
}

output "backfill_url" {
  value = module.log_export.backfill_url
}

output "status_url" {
  value = module.log_export.status_url
}

output "coverage_url" {
  value = module.log_export.coverage_url
}

output "function_key_command" {
  value = module.log_export.function_key_command
}

output "post_apply_commands" {
  value = module.log_export.post_apply_commands
}

output "export_storage_account_name" {
  value = module.log_export.export_storage_account_name
}

output "export_storage_blob_endpoint" {
  value = module.log_export.export_storage_blob_endpoint
}

output "data_container_name" {
  value = module.log_export.data_container_name
}

output "state_container_name" {
  value = module.log_export.state_container_name
}

output "identity_client_id" {
  value = module.log_export.identity_client_id
}

output "queue_name" {
  value = module.log_export.queue_name
}

output "alert_action_group_name" {
  value = module.log_export.alert_action_group_name
}
