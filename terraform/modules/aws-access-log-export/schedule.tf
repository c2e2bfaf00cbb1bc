# An EventBridge rule: its event carries `time`, from which the handler computes the hour, so a
# retried delivery exports the same hour (lambda/handler.ts).
resource "aws_cloudwatch_event_rule" "hourly" {
  name                = "${local.function_name}-hourly"
  description         = "Export the previous hour of Pulp logs at minute ${var.schedule_minute}."
  schedule_expression = "cron(${var.schedule_minute} * * * ? *)"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "export" {
  rule = aws_cloudwatch_event_rule.hourly.name
  arn  = aws_lambda_function.export.arn

  # Delivery failures (throttled or refused invocations); the function's own errors are retried by
  # aws_lambda_function_event_invoke_config and land in the same queue.
  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 8
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

resource "aws_lambda_permission" "events" {
  statement_id  = "AllowHourlyRule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.export.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.hourly.arn
}

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${local.function_name}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

data "aws_iam_policy_document" "dead_letter" {
  statement {
    sid       = "RuleDeliveryFailures"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letter.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.hourly.arn]
    }
  }

  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.dead_letter.arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id
  policy    = data.aws_iam_policy_document.dead_letter.json
}
