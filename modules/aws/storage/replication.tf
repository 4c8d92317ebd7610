# Optional cross-region replication of the data and artifacts buckets to DR buckets in the region of
# the aws.dr provider. The DR side gets the same hardening as the primary buckets, including its own
# SSE-S3 access-log bucket (S3 server access logs must land in the same region).

locals {
  replication_enabled = var.replication.enabled
  replicated_buckets  = toset(local.replication_enabled ? keys(local.content_buckets) : [])

  dr_kms_key_arn = !local.replication_enabled ? null : (
    var.replication.kms_key_arn != null ? var.replication.kms_key_arn : aws_kms_key.dr[0].arn
  )

  dr_bucket_names = {
    for purpose in ["data", "artifacts", "logs"] : purpose => "${var.name}-${purpose}-dr-${local.account_id}"
  }

  # The DR side mirrors local.content_buckets / local.buckets; empty when replication is off.
  dr_content_buckets = {
    for purpose, bucket in { data = aws_s3_bucket.dr_data, artifacts = aws_s3_bucket.dr_artifacts } :
    purpose => bucket[0] if local.replication_enabled
  }
  dr_buckets = merge(local.dr_content_buckets, { for bucket in aws_s3_bucket.dr_logs : "logs" => bucket })
}

resource "aws_kms_key" "dr" {
  count    = local.replication_enabled && var.replication.kms_key_arn == null ? 1 : 0
  provider = aws.dr

  description             = "${var.name} storage DR replicas"
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

  tags = merge(var.tags, { Name = "${var.name}-storage-dr" })
}

resource "aws_kms_alias" "dr" {
  count    = local.replication_enabled && var.replication.kms_key_arn == null ? 1 : 0
  provider = aws.dr

  name          = "alias/${var.name}-storage-dr"
  target_key_id = aws_kms_key.dr[0].key_id
}

resource "aws_s3_bucket" "dr_data" {
  #checkov:skip=CKV_AWS_144:this bucket is the cross-region replica of the data bucket [owner=mlgen-modules expires=2027-12-01]
  count    = local.replication_enabled ? 1 : 0
  provider = aws.dr

  bucket = local.dr_bucket_names["data"]
  # Replicating Object Lock protected objects requires Object Lock on the destination too.
  object_lock_enabled = var.object_lock.enabled

  tags = merge(var.tags, { Name = local.dr_bucket_names["data"] })
}

resource "aws_s3_bucket" "dr_artifacts" {
  #checkov:skip=CKV_AWS_144:this bucket is the cross-region replica of the artifacts bucket [owner=mlgen-modules expires=2027-12-01]
  count    = local.replication_enabled ? 1 : 0
  provider = aws.dr

  bucket = local.dr_bucket_names["artifacts"]

  tags = merge(var.tags, { Name = local.dr_bucket_names["artifacts"] })
}

resource "aws_s3_bucket" "dr_logs" {
  #checkov:skip=CKV_AWS_145:S3 server access logging does not support SSE-KMS target buckets, so this log bucket uses SSE-S3 (AES256) [owner=mlgen-modules expires=2027-12-01]
  #checkov:skip=CKV_AWS_18:this is the access-log target of the DR buckets; logging it into itself would create an endless log loop [owner=mlgen-modules expires=2027-12-01]
  #checkov:skip=CKV_AWS_144:this bucket already lives in the DR region and only holds access logs of the replicas [owner=mlgen-modules expires=2027-12-01]
  count    = local.replication_enabled ? 1 : 0
  provider = aws.dr

  bucket = local.dr_bucket_names["logs"]
  # Access logs keep arriving until the source buckets are gone, so a destroy would stop on
  # BucketNotEmpty; the logs expire with log_retention_days anyway.
  force_destroy = true

  tags = merge(var.tags, { Name = local.dr_bucket_names["logs"] })
}

resource "aws_s3_bucket_ownership_controls" "dr" {
  for_each = local.dr_buckets
  provider = aws.dr

  bucket = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "dr" {
  for_each = local.dr_buckets
  provider = aws.dr

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "dr" {
  for_each = local.dr_buckets
  provider = aws.dr

  bucket = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "dr" {
  for_each = local.dr_content_buckets
  provider = aws.dr

  bucket = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.dr_kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "dr_logs" {
  count    = local.replication_enabled ? 1 : 0
  provider = aws.dr

  bucket = aws_s3_bucket.dr_logs[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_policy" "dr" {
  for_each = local.dr_buckets
  provider = aws.dr

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
            ArnLike      = { "aws:SourceArn" = [for bucket in local.dr_content_buckets : bucket.arn] }
            StringEquals = { "aws:SourceAccount" = local.account_id }
          }
        },
      ] : [],
    )
  })

  depends_on = [aws_s3_bucket_public_access_block.dr]
}

resource "aws_s3_bucket_lifecycle_configuration" "dr" {
  for_each = local.dr_buckets
  provider = aws.dr

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

  depends_on = [aws_s3_bucket_versioning.dr]
}

resource "aws_s3_bucket_logging" "dr" {
  for_each = local.dr_content_buckets
  provider = aws.dr

  bucket        = each.value.id
  target_bucket = aws_s3_bucket.dr_logs[0].id
  target_prefix = "${each.key}/"

  target_object_key_format {
    partitioned_prefix {
      partition_date_source = "EventTime"
    }
  }

  depends_on = [aws_s3_bucket_policy.dr]
}

resource "aws_s3_bucket_notification" "dr" {
  for_each = local.dr_buckets
  provider = aws.dr

  bucket      = each.value.id
  eventbridge = true
}

# Replication role: S3 assumes it for the two source buckets only; it may read their object
# versions, decrypt with the source key, and write/encrypt replicas into the DR buckets only.
resource "aws_iam_role" "replication" {
  count = local.replication_enabled ? 1 : 0

  name        = "${var.name}-s3-replication"
  description = "S3 cross-region replication of ${var.name} data and artifacts buckets"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "s3.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = [for k in local.replicated_buckets : local.content_buckets[k].arn] }
        }
      },
    ]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "replication" {
  count = local.replication_enabled ? 1 : 0

  name = "replicate-to-dr"
  role = aws_iam_role.replication[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadSourceBucketConfiguration"
        Effect   = "Allow"
        Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
        Resource = [for k in local.replicated_buckets : local.content_buckets[k].arn]
      },
      {
        Sid    = "ReadSourceObjectVersions"
        Effect = "Allow"
        Action = [
          "s3:GetObjectVersionForReplication",
          "s3:GetObjectVersionAcl",
          "s3:GetObjectVersionTagging",
          "s3:GetObjectRetention",
          "s3:GetObjectLegalHold",
        ]
        Resource = [for k in local.replicated_buckets : "${local.content_buckets[k].arn}/*"]
      },
      {
        Sid      = "WriteReplicas"
        Effect   = "Allow"
        Action   = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
        Resource = [for k in local.replicated_buckets : "${local.dr_content_buckets[k].arn}/*"]
      },
      {
        Sid      = "DecryptSourceObjects"
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = local.kms_key_arn
        Condition = {
          StringLike = {
            "kms:EncryptionContext:aws:s3:arn" = flatten([
              for k in local.replicated_buckets : [local.content_buckets[k].arn, "${local.content_buckets[k].arn}/*"]
            ])
          }
        }
      },
      {
        Sid      = "EncryptReplicas"
        Effect   = "Allow"
        Action   = ["kms:Encrypt", "kms:GenerateDataKey"]
        Resource = local.dr_kms_key_arn
        Condition = {
          StringLike = {
            "kms:EncryptionContext:aws:s3:arn" = flatten([
              for k in local.replicated_buckets : [local.dr_content_buckets[k].arn, "${local.dr_content_buckets[k].arn}/*"]
            ])
          }
        }
      },
    ]
  })
}

resource "aws_s3_bucket_replication_configuration" "this" {
  #checkov:skip=MLGEN_AWS_002:the destinations are this module's dr_* buckets, created through the aws.dr provider whose region MLGEN_AWS_001 checks against the residency [owner=mlgen-modules expires=2027-12-01]
  for_each = local.replicated_buckets

  bucket = local.content_buckets[each.key].id
  role   = aws_iam_role.replication[0].arn

  rule {
    id     = "${each.key}-to-dr"
    status = "Enabled"

    filter {}

    delete_marker_replication {
      status = "Enabled"
    }

    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = local.dr_content_buckets[each.key].arn
      storage_class = "STANDARD"

      encryption_configuration {
        replica_kms_key_id = local.dr_kms_key_arn
      }
    }
  }

  # Both sides must be versioned before replication can be configured.
  depends_on = [aws_s3_bucket_versioning.this, aws_s3_bucket_versioning.dr]
}
