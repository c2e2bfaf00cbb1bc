output "function_name" {
  description = "The export Lambda."
  value       = aws_lambda_function.export.function_name
}

output "function_arn" {
  description = "The export Lambda's ARN."
  value       = aws_lambda_function.export.arn
}

output "role_arn" {
  description = "The function's role (query the named log groups, write the export prefixes)."
  value       = aws_iam_role.function.arn
}

output "bucket_name" {
  description = "Where the Parquet files and manifests go."
  value       = var.bucket_name
}

output "export_prefixes" {
  description = "Key prefix of each export."
  value       = local.export_prefixes
}

output "dead_letter_queue_url" {
  description = "Events of hours that failed every retry."
  value       = aws_sqs_queue.dead_letter.url
}

output "schedule_rule_arn" {
  description = "The hourly EventBridge rule."
  value       = aws_cloudwatch_event_rule.hourly.arn
}

output "glue_tables" {
  description = "Athena tables per export (database.table), when create_glue_tables."
  value       = { for k, t in aws_glue_catalog_table.export : k => "${t.database_name}.${t.name}" }
}

output "manual_run_command" {
  description = "Re-export a range hour by hour (whole-hour ISO instants); ranges longer than one invocation belong to the CLIs."
  value       = "aws lambda invoke --function-name ${aws_lambda_function.export.function_name} --cli-binary-format raw-in-base64-out --payload '{\"start\":\"2026-02-04T10:00:00Z\",\"end\":\"2026-02-04T14:00:00Z\"}' /dev/stdout"
}

output "alarm_names" {
  description = "The function-errors and dead-letters alarms (`aws cloudwatch set-alarm-state` sends a test notification through them)."
  value       = [aws_cloudwatch_metric_alarm.errors.alarm_name, aws_cloudwatch_metric_alarm.dead_letters.alarm_name]
}

output "alarm_topic_arn" {
  description = "The SNS topic the alarms notify, null without alarm_email_addresses."
  value       = one(aws_sns_topic.alarms[*].arn)
}
