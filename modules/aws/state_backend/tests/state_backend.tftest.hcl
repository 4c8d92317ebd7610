# Offline plan tests for the state_backend module (mock provider).

mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111"
      key_id = "11111111-1111-1111-1111-111111111111"
    }
  }
}

override_resource {
  target          = aws_s3_bucket.this
  override_during = plan
  values = {
    id     = "fraud-scoring-tfstate-123456789012"
    arn    = "arn:aws:s3:::fraud-scoring-tfstate-123456789012"
    region = "eu-west-1"
  }
}

override_resource {
  target          = aws_s3_bucket.logs
  override_during = plan
  values = {
    id     = "fraud-scoring-tflogs-123456789012"
    arn    = "arn:aws:s3:::fraud-scoring-tflogs-123456789012"
    region = "eu-west-1"
  }
}

variables {
  name = "fraud-scoring"
}

run "defaults_are_secure" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this.bucket == "fraud-scoring-tfstate-123456789012" && aws_s3_bucket.logs.bucket == "fraud-scoring-tflogs-123456789012"
    error_message = "Bucket names must be <name>-tfstate-<account id> and <name>-tflogs-<account id>."
  }

  assert {
    condition     = aws_s3_bucket.logs.force_destroy == true && aws_s3_bucket.this.force_destroy != true
    error_message = "The access-log bucket must be force_destroy (logs keep arriving, a destroy would stop on BucketNotEmpty); the state bucket must not."
  }

  # Encryption.
  assert {
    condition     = length(aws_kms_key.this) == 1 && aws_kms_key.this[0].enable_key_rotation == true
    error_message = "With kms_key_arn = null the module must create a CMK with rotation enabled."
  }

  assert {
    condition = (
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.this[0].arn &&
      aws_s3_bucket_server_side_encryption_configuration.this.bucket == aws_s3_bucket.this.id
    )
    error_message = "The state bucket must be encrypted with SSE-KMS using the CMK."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.logs.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "The access-log bucket must use SSE-S3 (server access logging cannot target SSE-KMS buckets)."
  }

  # Versioning and public access block.
  assert {
    condition     = toset(keys(aws_s3_bucket_versioning.this)) == toset(["state", "logs"]) && alltrue([for v in aws_s3_bucket_versioning.this : v.versioning_configuration[0].status == "Enabled"])
    error_message = "Versioning must be Enabled on the state and log buckets."
  }

  assert {
    condition = length(aws_s3_bucket_public_access_block.this) == 2 && alltrue([
      for p in aws_s3_bucket_public_access_block.this : p.block_public_acls && p.block_public_policy && p.ignore_public_acls && p.restrict_public_buckets
    ])
    error_message = "All four public access block settings must be true on both buckets."
  }

  assert {
    condition     = alltrue([for o in aws_s3_bucket_ownership_controls.this : o.rule[0].object_ownership == "BucketOwnerEnforced"]) && length(aws_s3_bucket_ownership_controls.this) == 2
    error_message = "Both buckets must enforce bucket-owner ownership (ACLs disabled)."
  }

  # TLS-only policies.
  assert {
    condition = length(aws_s3_bucket_policy.this) == 2 && alltrue([
      for k, p in aws_s3_bucket_policy.this : anytrue([
        for s in jsondecode(p.policy).Statement :
        s.Effect == "Deny" && s.Principal == "*" && s.Action == "s3:*" &&
        try(s.Condition.Bool["aws:SecureTransport"], "") == "false" &&
        contains(flatten([s.Resource]), "${ { state = aws_s3_bucket.this.arn, logs = aws_s3_bucket.logs.arn }[k]}/*")
      ])
    ])
    error_message = "Both bucket policies must deny requests with aws:SecureTransport = false."
  }

  # Lifecycle, logging, notifications.
  assert {
    condition = alltrue([
      for lc in aws_s3_bucket_lifecycle_configuration.this :
      anytrue([for r in lc.rule : try(r.abort_incomplete_multipart_upload[0].days_after_initiation, 0) == 7]) &&
      anytrue([for r in lc.rule : try(r.noncurrent_version_expiration[0].noncurrent_days, 0) == 90])
    ]) && length(aws_s3_bucket_lifecycle_configuration.this) == 2
    error_message = "Both buckets must abort multipart uploads after 7 days and expire noncurrent versions after 90 days."
  }

  assert {
    condition     = !contains([for r in aws_s3_bucket_lifecycle_configuration.this["state"].rule : r.id], "expire-current-objects")
    error_message = "Current state objects must never expire."
  }

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this["logs"].rule : r.expiration[0].days if r.id == "expire-current-objects"] == [365]
    error_message = "Access logs must expire after log_retention_days (365)."
  }

  assert {
    condition     = alltrue([for lc in aws_s3_bucket_lifecycle_configuration.this : [for r in lc.rule : r.expiration[0].expired_object_delete_marker if r.id == "remove-expired-delete-markers"] == [true]])
    error_message = "Expired delete markers left by lock files must be removed."
  }

  assert {
    condition     = aws_s3_bucket_logging.this.bucket == aws_s3_bucket.this.id && aws_s3_bucket_logging.this.target_bucket == aws_s3_bucket.logs.id
    error_message = "The state bucket must send server access logs to the log bucket."
  }

  assert {
    condition     = length(aws_s3_bucket_notification.this) == 2 && alltrue([for n in aws_s3_bucket_notification.this : n.eventbridge == true])
    error_message = "Both buckets must publish events to EventBridge."
  }

  # Backend settings for env roots.
  assert {
    condition = output.backend_config == {
      bucket       = "fraud-scoring-tfstate-123456789012"
      region       = "eu-west-1"
      encrypt      = true
      kms_key_id   = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111"
      use_lockfile = true
    }
    error_message = "backend_config must give bucket, region, encrypt, kms_key_id and use_lockfile = true."
  }
}

run "external_kms_key" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222"
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && length(aws_kms_alias.this) == 0
    error_message = "No CMK may be created when kms_key_arn is given."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == var.kms_key_arn && output.backend_config.kms_key_id == var.kms_key_arn && output.kms_key_arn == var.kms_key_arn
    error_message = "The given key must encrypt the state and appear in backend_config."
  }
}

run "rejects_invalid_name" {
  command = plan

  variables {
    name = "Fraud_Scoring"
  }

  expect_failures = [var.name]
}

run "rejects_kms_alias_instead_of_arn" {
  command = plan

  variables {
    kms_key_arn = "alias/tfstate"
  }

  expect_failures = [var.kms_key_arn]
}
