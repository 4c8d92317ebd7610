data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  kms_key_arn = var.kms_key_arn != null ? var.kms_key_arn : aws_kms_key.this[0].arn

  # Globally unique, deterministic names (at most 63 characters).
  bucket_names = {
    state = "${var.name}-tfstate-${local.account_id}"
    logs  = "${var.name}-tflogs-${local.account_id}"
  }

  # Both buckets get the same hardening through for_each over this map. The log bucket differs only
  # in encryption (SSE-S3: S3 server access logging cannot deliver to SSE-KMS buckets) and in its
  # lifecycle (log objects expire after log_retention_days).
  buckets = {
    state = aws_s3_bucket.this
    logs  = aws_s3_bucket.logs
  }

  lifecycle_settings = {
    state = { expiration_days = 0 }
    logs  = { expiration_days = var.log_retention_days }
  }
}

resource "aws_kms_key" "this" {
  count = var.kms_key_arn == null ? 1 : 0

  description             = "${var.name} Terraform state"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
    ]
  })

  tags = merge(var.tags, { Name = "${var.name}-tfstate" })
}

resource "aws_kms_alias" "this" {
  count = var.kms_key_arn == null ? 1 : 0

  name          = "alias/${var.name}-tfstate"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:the S3 backend reads a single bucket in one region; versioning and prevent_destroy protect the state, and a cross-region copy would only be usable after a manual backend change [owner=mlgen-modules expires=2027-12-01]
  bucket = local.bucket_names["state"]

  tags = merge(var.tags, { Name = local.bucket_names["state"] })

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_145:S3 server access logging does not support SSE-KMS target buckets, so this log bucket uses SSE-S3 (AES256) [owner=mlgen-modules expires=2027-12-01]
  #checkov:skip=CKV_AWS_18:this is the access-log target; logging it into itself would create an endless log loop [owner=mlgen-modules expires=2027-12-01]
  #checkov:skip=CKV_AWS_144:access logs are regional audit records kept for log_retention_days; the state bucket itself is not replicated either [owner=mlgen-modules expires=2027-12-01]
  bucket = local.bucket_names["logs"]
  # Access logs keep arriving until the source buckets are gone, so a destroy would stop on
  # BucketNotEmpty; the logs expire with log_retention_days anyway.
  force_destroy = true

  tags = merge(var.tags, { Name = local.bucket_names["logs"] })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets

  bucket = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

# S3 server access logging only delivers to buckets encrypted with SSE-S3.
resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets

  bucket = each.value.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid       = "DenyInsecureTransport"
          Effect    = "Deny"
          Principal = "*"
          Action    = "s3:*"
          Resource  = [each.value.arn, "${each.value.arn}/*"]
          Condition = { Bool = { "aws:SecureTransport" = "false" } }
        },
        {
          Sid       = "DenyTlsOlderThan12"
          Effect    = "Deny"
          Principal = "*"
          Action    = "s3:*"
          Resource  = [each.value.arn, "${each.value.arn}/*"]
          Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
        },
      ],
      each.key == "logs" ? [
        {
          Sid       = "AllowS3ServerAccessLogs"
          Effect    = "Allow"
          Principal = { Service = "logging.s3.amazonaws.com" }
          Action    = "s3:PutObject"
          Resource  = "${each.value.arn}/*"
          Condition = {
            ArnLike      = { "aws:SourceArn" = aws_s3_bucket.this.arn }
            StringEquals = { "aws:SourceAccount" = local.account_id }
          }
        },
      ] : [],
    )
  })

  # A policy PUT can race the public access block; apply the block first.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = local.buckets

  bucket = each.value.id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  # Lock files (use_lockfile) leave a delete marker per run; drop them once they are alone.
  rule {
    id     = "remove-expired-delete-markers"
    status = "Enabled"

    filter {}

    expiration {
      expired_object_delete_marker = true
    }
  }

  dynamic "rule" {
    for_each = local.lifecycle_settings[each.key].expiration_days > 0 ? [local.lifecycle_settings[each.key].expiration_days] : []

    content {
      id     = "expire-current-objects"
      status = "Enabled"

      filter {}

      expiration {
        days = rule.value
      }
    }
  }

  # Lifecycle rules on an unversioned bucket behave differently; configure versioning first.
  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  bucket        = aws_s3_bucket.this.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "tfstate/"

  target_object_key_format {
    partitioned_prefix {
      partition_date_source = "EventTime"
    }
  }

  # The log bucket policy must allow the logging service before logging is switched on.
  depends_on = [aws_s3_bucket_policy.this]
}

resource "aws_s3_bucket_notification" "this" {
  for_each = local.buckets

  bucket      = each.value.id
  eventbridge = true
}
