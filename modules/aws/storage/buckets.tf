# S3 buckets: data (prevent_destroy unless destroyable, optional Object Lock), artifacts, and the access-log bucket.
# The three bucket resources differ only in lifecycle/Object Lock/checkov skips; all hardening
# below is shared through for_each over local.buckets.

resource "aws_s3_bucket" "data" {
  #checkov:skip=CKV_AWS_144:replication is enabled only when the answers name a DR region (var.replication) [owner=mlgen-modules expires=2027-12-01]
  count = var.destroyable ? 0 : 1

  bucket              = local.bucket_names["data"]
  object_lock_enabled = var.object_lock.enabled

  tags = merge(var.tags, { Name = local.bucket_names["data"] })

  lifecycle {
    prevent_destroy = true
  }
}

# The same bucket where the stage allows `terraform destroy` (prevent_destroy cannot be a variable).
resource "aws_s3_bucket" "data_destroyable" {
  #checkov:skip=CKV_AWS_144:replication is enabled only when the answers name a DR region (var.replication) [owner=mlgen-modules expires=2027-12-01]
  count = var.destroyable ? 1 : 0

  bucket              = local.bucket_names["data"]
  object_lock_enabled = var.object_lock.enabled
  force_destroy       = true

  tags = merge(var.tags, { Name = local.bucket_names["data"] })
}

moved {
  from = aws_s3_bucket.data
  to   = aws_s3_bucket.data[0]
}

resource "aws_s3_bucket" "artifacts" {
  #checkov:skip=CKV_AWS_144:replication is enabled only when the answers name a DR region (var.replication) [owner=mlgen-modules expires=2027-12-01]
  bucket = local.bucket_names["artifacts"]
  # Versioned and never empty: a destroyable stage deletes every version with the bucket.
  force_destroy = var.destroyable

  tags = merge(var.tags, { Name = local.bucket_names["artifacts"] })
}

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_145:S3 server access logging does not support SSE-KMS target buckets, so this log bucket uses SSE-S3 (AES256) [owner=mlgen-modules expires=2027-12-01]
  #checkov:skip=CKV_AWS_18:this is the access-log target; logging it into itself would create an endless log loop [owner=mlgen-modules expires=2027-12-01]
  #checkov:skip=CKV_AWS_144:access logs are regional audit records kept for log_retention_days; only data and artifacts are replicated [owner=mlgen-modules expires=2027-12-01]
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
  for_each = local.content_buckets

  bucket = each.value.id

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
            ArnLike      = { "aws:SourceArn" = [for bucket in local.content_buckets : bucket.arn] }
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

  # Delete markers whose noncurrent versions have expired are clutter; remove them.
  rule {
    id     = "remove-expired-delete-markers"
    status = "Enabled"

    filter {}

    expiration {
      expired_object_delete_marker = true
    }
  }

  dynamic "rule" {
    for_each = local.lifecycle_settings[each.key].transition_to_ia_days > 0 ? [local.lifecycle_settings[each.key].transition_to_ia_days] : []

    content {
      id     = "transition-to-standard-ia"
      status = "Enabled"

      filter {}

      transition {
        days          = rule.value
        storage_class = "STANDARD_IA"
      }
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

  # Artifacts: training overwrites checkpoints/ many times per job; old checkpoint versions are
  # only worth keeping for a few days (a real 30 GB model kept 90 days costs thousands a month).
  # Static rules, disabled on the other buckets: Checkov's CKV_AWS_300 misreads dynamic rule blocks
  # that carry a prefix filter.
  rule {
    id     = "expire-noncurrent-checkpoints"
    status = each.key == "artifacts" ? "Enabled" : "Disabled"

    filter {
      prefix = "checkpoints/"
    }

    noncurrent_version_expiration {
      noncurrent_days = var.checkpoint_noncurrent_days
    }
  }

  # Artifacts: sampled endpoint data capture is kept for model monitoring, then expires.
  rule {
    id     = "expire-data-capture"
    status = each.key == "artifacts" ? "Enabled" : "Disabled"

    filter {
      prefix = "data-capture/"
    }

    expiration {
      days = var.data_capture_expiration_days
    }
  }

  # Lifecycle rules on an unversioned bucket behave differently; configure versioning first.
  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  for_each = local.content_buckets

  bucket        = each.value.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "${each.key}/"

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

resource "aws_s3_bucket_object_lock_configuration" "data" {
  count = var.object_lock.enabled ? 1 : 0

  bucket = local.data_bucket.id

  rule {
    default_retention {
      mode = var.object_lock.mode
      days = var.object_lock.retention_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}
