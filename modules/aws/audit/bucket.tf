# Trail log bucket. It holds audit evidence: versioned, KMS-encrypted, private, TLS-only,
# writable by CloudTrail only for this trail, and protected from `terraform destroy` unless destroyable.
resource "aws_s3_bucket" "trail" {
  #checkov:skip=CKV_AWS_18:S3 cannot deliver access logs of a bucket into itself and a separate log bucket would need its own access logging (recursion); its bucket policy grants writes only to this trail and public access is blocked, bucket-level changes are recorded as management events by the trail and log-file integrity is proven by CloudTrail digest files (enable_log_file_validation). [owner=mlgen-modules expires=2027-12-01]
  #checkov:skip=CKV_AWS_144:Cross-region replication needs a second-region provider and bucket this module does not own; a multi-region trail already records every region, and retention/versioning/prevent_destroy protect the single copy. Replicate at the account level (e.g. an organization trail to a log-archive account) if required. [owner=mlgen-modules expires=2027-12-01]
  count = var.destroyable ? 0 : 1

  bucket        = local.bucket_name
  force_destroy = false

  tags = merge(var.tags, { Name = local.bucket_name })

  lifecycle {
    prevent_destroy = true
  }
}

# The same bucket in a sandbox whose audit logs no regime requires to outlive it.
resource "aws_s3_bucket" "trail_destroyable" {
  #checkov:skip=CKV_AWS_18:S3 cannot deliver access logs of a bucket into itself and a separate log bucket would need its own access logging (recursion); its bucket policy grants writes only to this trail and public access is blocked, bucket-level changes are recorded as management events by the trail and log-file integrity is proven by CloudTrail digest files (enable_log_file_validation). [owner=mlgen-modules expires=2027-12-01]
  #checkov:skip=CKV_AWS_144:Cross-region replication needs a second-region provider and bucket this module does not own; a multi-region trail already records every region, and retention/versioning/prevent_destroy protect the single copy. Replicate at the account level (e.g. an organization trail to a log-archive account) if required. [owner=mlgen-modules expires=2027-12-01]
  count = var.destroyable ? 1 : 0

  bucket        = local.bucket_name
  force_destroy = true

  tags = merge(var.tags, { Name = local.bucket_name })
}

moved {
  from = aws_s3_bucket.trail
  to   = aws_s3_bucket.trail[0]
}

resource "aws_s3_bucket_ownership_controls" "trail" {
  bucket = local.trail_bucket.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "trail" {
  bucket = local.trail_bucket.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "trail" {
  bucket = local.trail_bucket.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "trail" {
  bucket = local.trail_bucket.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "trail" {
  bucket = local.trail_bucket.id

  rule {
    id     = "expire-after-retention"
    status = "Enabled"

    filter {}

    expiration {
      days = var.retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  rule {
    id     = "remove-expired-delete-markers"
    status = "Enabled"

    filter {}

    expiration {
      expired_object_delete_marker = true
    }
  }

  depends_on = [aws_s3_bucket_versioning.trail]
}

resource "aws_s3_bucket_notification" "trail" {
  bucket      = local.trail_bucket.id
  eventbridge = true
}

resource "aws_s3_bucket_policy" "trail" {
  bucket = local.trail_bucket.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource = [
          local.trail_bucket.arn,
          "${local.trail_bucket.arn}/*",
        ]
        Condition = {
          Bool = { "aws:SecureTransport" = "false" }
        }
      },
      {
        Sid       = "AWSCloudTrailAclCheck"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = local.trail_bucket.arn
        Condition = {
          StringEquals = { "aws:SourceArn" = local.trail_arn }
        }
      },
      {
        Sid       = "AWSCloudTrailWrite"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${local.trail_bucket.arn}/AWSLogs/${local.account_id}/*"
        Condition = {
          StringEquals = {
            "aws:SourceArn" = local.trail_arn
            "s3:x-amz-acl"  = "bucket-owner-full-control"
          }
        }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.trail]
}
