resource "aws_s3_bucket" "exports" {
  count  = var.create_bucket ? 1 : 0
  bucket = var.bucket_name
  tags   = var.tags
}

resource "aws_s3_bucket_ownership_controls" "exports" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.exports[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "exports" {
  count                   = var.create_bucket ? 1 : 0
  bucket                  = aws_s3_bucket.exports[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "exports" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.exports[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_versioning" "exports" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.exports[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]
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

resource "aws_s3_bucket_policy" "exports" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.exports[0].id
  policy = data.aws_iam_policy_document.bucket.json
  # The public access block must exist first, or S3 may judge the policy before it is in force.
  depends_on = [aws_s3_bucket_public_access_block.exports]
}

resource "aws_s3_bucket_lifecycle_configuration" "exports" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.exports[0].id
  # Lifecycle rules on a versioned bucket need versioning in place.
  depends_on = [aws_s3_bucket_versioning.exports]

  dynamic "rule" {
    for_each = local.export_prefixes
    content {
      id     = "archive-${rule.key}"
      status = "Enabled"
      filter {
        prefix = "${rule.value}/"
      }
      transition {
        days          = var.glacier_after_days
        storage_class = "GLACIER"
      }
      dynamic "expiration" {
        for_each = var.expire_after_days == null ? [] : [var.expire_after_days]
        content {
          days = expiration.value
        }
      }
      noncurrent_version_expiration {
        noncurrent_days = var.noncurrent_version_days
      }
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}
