# CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key alias/aws/sns: its
# key policy cannot be changed to let cloudwatch.amazonaws.com use it, so every notification would
# fail. The topic is encrypted with a customer-managed key whose policy does (about $1 a month).
data "aws_iam_policy_document" "alarm_key" {
  # Without this statement nobody in the account could manage or delete the key.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "AlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "alarms" {
  count               = length(var.alarm_email_addresses) > 0 ? 1 : 0
  description         = "Encrypts the ${local.function_name}-alarms SNS topic; CloudWatch alarms may use it to publish."
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.alarm_key.json
  tags                = var.tags
}

resource "aws_sns_topic" "alarms" {
  count             = length(var.alarm_email_addresses) > 0 ? 1 : 0
  name              = "${local.function_name}-alarms"
  kms_master_key_id = aws_kms_key.alarms[0].arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "alarms" {
  for_each  = toset(var.alarm_email_addresses)
  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  alarm_actions = aws_sns_topic.alarms[*].arn
}

# Any failed invocation: an export that could not complete (each is retried; see the DLQ alarm).
resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${local.function_name}-errors"
  alarm_description   = "The log export Lambda failed an invocation. Its log (structured JSON, `export failed` lines) names the export, the hour and the error; see docs/aws-export.md."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.export.function_name }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

# An hour that failed every retry: it is not exported until someone re-runs it (manual range).
resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${local.function_name}-dead-letters"
  alarm_description   = "An hourly export failed all its retries and its event is in ${aws_sqs_queue.dead_letter.name}. Re-run that hour with a manual invoke {\"start\":…,\"end\":…}; see terraform/README.md."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

# Hours missing in the middle, which the errors alarm only saw once, when they failed: each scheduled
# run logs the hours of the lookback it finds without a manifest and exports again (gap repair). Any
# such line means an hour was missing after every retry; a repair that keeps failing keeps it firing.
resource "aws_cloudwatch_log_metric_filter" "missing_hours" {
  name           = "${local.function_name}-missing-hours"
  log_group_name = aws_cloudwatch_log_group.function.name
  pattern        = "{ $.message = \"hours without a manifest exported again\" }"

  metric_transformation {
    name          = "MissingHours"
    namespace     = "LogExport"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "missing_hours" {
  alarm_name          = "${local.function_name}-missing-hours"
  alarm_description   = "A scheduled run found hours of the lookback without a manifest (their export failed every retry) and exported them again. The function's log has the hours (`hours without a manifest exported again`) and, for a repair that failed, `export failed` with the error; see docs/operations.md."
  namespace           = "LogExport"
  metric_name         = aws_cloudwatch_log_metric_filter.missing_hours.metric_transformation[0].name
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}
