output "function_name" {
  value = module.access_log_export.function_name
}

output "bucket_name" {
  value = module.access_log_export.bucket_name
}

output "dead_letter_queue_url" {
  value = module.access_log_export.dead_letter_queue_url
}

output "glue_tables" {
  value = module.access_log_export.glue_tables
}

output "manual_run_command" {
  value = module.access_log_export.manual_run_command
}

output "alarm_names" {
  value = module.access_log_export.alarm_names
}

output "alarm_topic_arn" {
  value = module.access_log_export.alarm_topic_arn
}
