resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "export" {
  function_name    = local.function_name
  description      = "Exports the previous hour of Pulp logs from CloudWatch Logs to Parquet on S3 (logexport)."
  role             = aws_iam_role.function.arn
  runtime          = "nodejs22.x"
  architectures    = ["arm64"]
  handler          = "index.handler"
  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  memory_size      = var.memory_mb
  timeout          = var.timeout_seconds
  # One run at a time: the schedule and a manual run of the same hour cannot write its object together.
  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = local.lambda_environment
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.function.name
  }

  tags = var.tags
}

# EventBridge invokes the function asynchronously: its errors are retried here, then the event goes to
# the dead-letter queue with the error.
resource "aws_lambda_function_event_invoke_config" "export" {
  function_name                = aws_lambda_function.export.function_name
  maximum_retry_attempts       = var.retry_attempts
  maximum_event_age_in_seconds = 3600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.dead_letter.arn
    }
  }

  # Lambda checks that the function's role may send to the destination when this is saved.
  depends_on = [aws_iam_role_policy.function]
}
