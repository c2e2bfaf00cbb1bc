data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  name               = "${local.function_name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "function" {
  # Logs Insights queries and the exact read of slices too dense for a query, on the named groups only.
  statement {
    sid       = "QueryTheLogGroups"
    actions   = ["logs:StartQuery", "logs:FilterLogEvents"]
    resources = concat(local.log_group_arns, [for arn in local.log_group_arns : "${arn}:*"])
  }

  # GetQueryResults and StopQuery take a query id, not a log group: IAM has no resource type for them.
  statement {
    sid       = "ReadAndStopOwnQueries"
    actions   = ["logs:GetQueryResults", "logs:StopQuery"]
    resources = ["*"]
  }

  # New objects under each export's prefix; nothing there is read, listed or deleted.
  statement {
    sid       = "WriteExports"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = [for p in values(local.export_prefixes) : "${local.bucket_arn}/${p}/*"]
  }

  # Manifests and the ledger: read (skip done hours, late-data check, ledger appends) and written, under the state prefix only.
  statement {
    sid       = "ReadWriteState"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${local.bucket_arn}/${var.state_prefix}/*"]
  }

  # Without ListBucket, S3 answers a missing manifest with 403 instead of 404; listing is limited to the state prefix.
  statement {
    sid       = "ListState"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.state_prefix}/*"]
    }
  }

  statement {
    sid       = "FunctionLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  statement {
    sid       = "DeadLetter"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letter.arn]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "EncryptExports"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
    }
  }

  # The pseudonymization key, read once at cold start (LOGEXPORT_HMAC_KEY_SECRET_ARN): this one secret only.
  dynamic "statement" {
    for_each = var.hmac_key_secret_arn == null ? [] : [var.hmac_key_secret_arn]
    content {
      sid       = "ReadHmacKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }

  # A secret encrypted with a customer-managed key: Decrypt on that key, only through Secrets Manager and
  # only for this secret (Secrets Manager puts the secret's ARN in the encryption context).
  dynamic "statement" {
    for_each = var.hmac_key_secret_kms_key_arn == null ? [] : [var.hmac_key_secret_kms_key_arn]
    content {
      sid       = "DecryptHmacKey"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "kms:EncryptionContext:SecretARN"
        values   = [var.hmac_key_secret_arn]
      }
    }
  }
}

resource "aws_iam_role_policy" "function" {
  name   = "${local.function_name}-policy"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}
