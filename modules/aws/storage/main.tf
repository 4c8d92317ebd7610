data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  kms_key_arn = var.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn

  # The data bucket: protected (prevent_destroy) or destroyable, never both.
  data_bucket = one(concat(aws_s3_bucket.data, aws_s3_bucket.data_destroyable))

  # Globally unique, deterministic names: <name>-<purpose>-<account id> (at most 63 characters).
  bucket_names = {
    for purpose in ["data", "artifacts", "logs"] : purpose => "${var.name}-${purpose}-${local.account_id}"
  }

  # Content buckets: SSE-KMS, access-logged to the log bucket, replicated when enabled.
  content_buckets = {
    data      = local.data_bucket
    artifacts = aws_s3_bucket.artifacts
  }

  # Every bucket gets the same hardening through for_each over this map. The log bucket differs
  # only in encryption (SSE-S3: S3 server access logging cannot deliver to SSE-KMS buckets) and in
  # its lifecycle (current objects expire after log_retention_days, no STANDARD_IA transition).
  buckets = merge(local.content_buckets, { logs = aws_s3_bucket.logs })

  lifecycle_settings = {
    data      = { transition_to_ia_days = var.transition_to_ia_days, expiration_days = 0 }
    artifacts = { transition_to_ia_days = var.transition_to_ia_days, expiration_days = 0 }
    logs      = { transition_to_ia_days = 0, expiration_days = var.log_retention_days }
  }
}

resource "aws_kms_key" "this" {
  count = var.create_kms_key ? 1 : 0

  description             = "${var.name} storage (S3 data/artifacts buckets, FSx)"
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

  tags = merge(var.tags, { Name = "${var.name}-storage" })
}

resource "aws_kms_alias" "this" {
  count = var.create_kms_key ? 1 : 0

  name          = "alias/${var.name}-storage"
  target_key_id = aws_kms_key.this[0].key_id
}
