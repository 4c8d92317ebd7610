# Offline plan tests for the storage module (mock providers for aws and aws.dr).

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

  mock_data "aws_subnet" {
    defaults = {
      vpc_id = "vpc-0123456789abcdef0"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111"
      key_id = "11111111-1111-1111-1111-111111111111"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/fraud-scoring-dev-s3-replication"
    }
  }

  mock_resource "aws_security_group" {
    defaults = {
      id = "sg-0fsx00000000000000"
    }
  }

  mock_resource "aws_fsx_lustre_file_system" {
    defaults = {
      id         = "fs-0123456789abcdef0"
      mount_name = "abcdefgh"
      dns_name   = "fs-0123456789abcdef0.fsx.eu-west-1.amazonaws.com"
    }
  }
}

mock_provider "aws" {
  alias           = "dr"
  override_during = plan

  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:eu-central-1:123456789012:key/33333333-3333-3333-3333-333333333333"
      key_id = "33333333-3333-3333-3333-333333333333"
    }
  }
}

# Deterministic bucket IDs/ARNs so policies and wiring can be asserted exactly.
override_resource {
  target          = aws_s3_bucket.data
  override_during = plan
  values = {
    id  = "fraud-scoring-dev-data-123456789012"
    arn = "arn:aws:s3:::fraud-scoring-dev-data-123456789012"
  }
}

override_resource {
  target          = aws_s3_bucket.artifacts
  override_during = plan
  values = {
    id  = "fraud-scoring-dev-artifacts-123456789012"
    arn = "arn:aws:s3:::fraud-scoring-dev-artifacts-123456789012"
  }
}

override_resource {
  target          = aws_s3_bucket.logs
  override_during = plan
  values = {
    id  = "fraud-scoring-dev-logs-123456789012"
    arn = "arn:aws:s3:::fraud-scoring-dev-logs-123456789012"
  }
}

override_resource {
  target          = aws_s3_bucket.dr_data
  override_during = plan
  values = {
    id  = "fraud-scoring-dev-data-dr-123456789012"
    arn = "arn:aws:s3:::fraud-scoring-dev-data-dr-123456789012"
  }
}

override_resource {
  target          = aws_s3_bucket.dr_artifacts
  override_during = plan
  values = {
    id  = "fraud-scoring-dev-artifacts-dr-123456789012"
    arn = "arn:aws:s3:::fraud-scoring-dev-artifacts-dr-123456789012"
  }
}

override_resource {
  target          = aws_s3_bucket.dr_logs
  override_during = plan
  values = {
    id  = "fraud-scoring-dev-logs-dr-123456789012"
    arn = "arn:aws:s3:::fraud-scoring-dev-logs-dr-123456789012"
  }
}

variables {
  name = "fraud-scoring-dev"
  tags = { project = "fraud-scoring" }
}

run "defaults_are_secure" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  # Naming and the module-created CMK.
  assert {
    condition     = aws_s3_bucket.data[0].bucket == "fraud-scoring-dev-data-123456789012" && aws_s3_bucket.artifacts.bucket == "fraud-scoring-dev-artifacts-123456789012" && aws_s3_bucket.logs.bucket == "fraud-scoring-dev-logs-123456789012"
    error_message = "Bucket names must be <name>-<purpose>-<account id>."
  }

  assert {
    condition     = aws_s3_bucket.logs.force_destroy == true && aws_s3_bucket.data[0].force_destroy != true && aws_s3_bucket.artifacts.force_destroy != true
    error_message = "Only the access-log bucket may be force_destroy (logs keep arriving, a destroy would stop on BucketNotEmpty)."
  }

  assert {
    condition     = length(aws_kms_key.this) == 1 && aws_kms_key.this[0].enable_key_rotation == true
    error_message = "With kms_key_arn = null the module must create a CMK with rotation enabled."
  }

  assert {
    condition     = output.kms_key_arn == aws_kms_key.this[0].arn
    error_message = "kms_key_arn output must be the module-created key."
  }

  # Encryption: SSE-KMS with the CMK on data/artifacts, SSE-S3 on the access-log bucket.
  assert {
    condition     = toset(keys(aws_s3_bucket_server_side_encryption_configuration.this)) == toset(["data", "artifacts"])
    error_message = "Data and artifacts buckets must both have an SSE-KMS configuration."
  }

  assert {
    condition = alltrue([
      for c in aws_s3_bucket_server_side_encryption_configuration.this : alltrue([
        for r in c.rule : r.apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" && r.apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.this[0].arn && r.bucket_key_enabled == true
      ])
    ])
    error_message = "Data and artifacts buckets must use aws:kms with the storage CMK and S3 Bucket Keys."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.logs.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "The access-log bucket must use SSE-S3 (server access logging cannot target SSE-KMS buckets)."
  }

  # Versioning, public access block, ownership on all three buckets.
  assert {
    condition     = length(aws_s3_bucket_versioning.this) == 3 && alltrue([for v in aws_s3_bucket_versioning.this : v.versioning_configuration[0].status == "Enabled"])
    error_message = "Versioning must be Enabled on data, artifacts and logs buckets."
  }

  assert {
    condition = length(aws_s3_bucket_public_access_block.this) == 3 && alltrue([
      for p in aws_s3_bucket_public_access_block.this : p.block_public_acls && p.block_public_policy && p.ignore_public_acls && p.restrict_public_buckets
    ])
    error_message = "All four public access block settings must be true on every bucket."
  }

  assert {
    condition     = length(aws_s3_bucket_ownership_controls.this) == 3 && alltrue([for o in aws_s3_bucket_ownership_controls.this : o.rule[0].object_ownership == "BucketOwnerEnforced"])
    error_message = "Every bucket must enforce bucket-owner ownership (ACLs disabled)."
  }

  # TLS-only bucket policies.
  assert {
    condition = length(aws_s3_bucket_policy.this) == 3 && alltrue([
      for k, p in aws_s3_bucket_policy.this : anytrue([
        for s in jsondecode(p.policy).Statement :
        s.Effect == "Deny" && s.Principal == "*" && s.Action == "s3:*" &&
        try(s.Condition.Bool["aws:SecureTransport"], "") == "false" &&
        contains(flatten([s.Resource]), "arn:aws:s3:::fraud-scoring-dev-${k}-123456789012/*")
      ])
    ])
    error_message = "Every bucket policy must deny requests with aws:SecureTransport = false on the bucket and its objects."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.this["logs"].policy).Statement :
      s.Effect == "Allow" && s.Principal == { Service = "logging.s3.amazonaws.com" } &&
      try(toset(s.Condition.ArnLike["aws:SourceArn"]) == toset([aws_s3_bucket.data[0].arn, aws_s3_bucket.artifacts.arn]), false)
    ])
    error_message = "The log bucket policy must let only the S3 logging service deliver logs from the data and artifacts buckets."
  }

  # Lifecycle.
  assert {
    condition = length(aws_s3_bucket_lifecycle_configuration.this) == 3 && alltrue([
      for lc in aws_s3_bucket_lifecycle_configuration.this : anytrue([
        for r in lc.rule : r.status == "Enabled" && length(r.abort_incomplete_multipart_upload) == 1 && try(r.abort_incomplete_multipart_upload[0].days_after_initiation, 0) == 7
      ])
    ])
    error_message = "Every bucket must abort incomplete multipart uploads after 7 days."
  }

  assert {
    condition = alltrue([
      for lc in aws_s3_bucket_lifecycle_configuration.this : anytrue([
        for r in lc.rule : try(r.noncurrent_version_expiration[0].noncurrent_days, 0) == 90
      ])
    ])
    error_message = "Noncurrent versions must expire after noncurrent_version_expiration_days (90)."
  }

  assert {
    condition = alltrue([
      for k in ["data", "artifacts"] : anytrue([
        for r in aws_s3_bucket_lifecycle_configuration.this[k].rule : anytrue([for t in r.transition : t.days == 30 && t.storage_class == "STANDARD_IA"])
      ])
    ])
    error_message = "Data and artifacts must transition to STANDARD_IA after transition_to_ia_days (30)."
  }

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this["logs"].rule : r.expiration[0].days if r.id == "expire-current-objects"] == [365]
    error_message = "Access logs must expire after log_retention_days (365)."
  }

  assert {
    condition     = !contains([for r in aws_s3_bucket_lifecycle_configuration.this["data"].rule : r.id], "expire-current-objects") && !contains([for r in aws_s3_bucket_lifecycle_configuration.this["artifacts"].rule : r.id], "expire-current-objects")
    error_message = "Current objects in the data and artifacts buckets must never expire."
  }

  assert {
    condition = [
      for r in aws_s3_bucket_lifecycle_configuration.this["artifacts"].rule : [r.status, r.filter[0].prefix, r.noncurrent_version_expiration[0].noncurrent_days]
      if r.id == "expire-noncurrent-checkpoints"
    ] == [["Enabled", "checkpoints/", 7]]
    error_message = "Noncurrent checkpoint versions in the artifacts bucket must expire after checkpoint_noncurrent_days (7)."
  }

  assert {
    condition = [
      for r in aws_s3_bucket_lifecycle_configuration.this["artifacts"].rule : [r.status, r.filter[0].prefix, r.expiration[0].days]
      if r.id == "expire-data-capture"
    ] == [["Enabled", "data-capture/", 90]]
    error_message = "Endpoint data capture in the artifacts bucket must expire after data_capture_expiration_days (90)."
  }

  assert {
    condition = alltrue([
      for k in ["data", "logs"] : alltrue([
        for r in aws_s3_bucket_lifecycle_configuration.this[k].rule : r.status == "Disabled"
        if contains(["expire-data-capture", "expire-noncurrent-checkpoints"], r.id)
      ])
    ])
    error_message = "Only the artifacts bucket holds checkpoints and data capture; their rules must be disabled on the data and log buckets."
  }

  # Access logging and event notifications.
  assert {
    condition = toset(keys(aws_s3_bucket_logging.this)) == toset(["data", "artifacts"]) && alltrue([
      for k, l in aws_s3_bucket_logging.this : l.target_bucket == aws_s3_bucket.logs.id && l.target_prefix == "${k}/"
    ])
    error_message = "Data and artifacts buckets must send server access logs to the log bucket under <purpose>/."
  }

  assert {
    condition     = length(aws_s3_bucket_notification.this) == 3 && alltrue([for n in aws_s3_bucket_notification.this : n.eventbridge == true])
    error_message = "Every bucket must publish events to EventBridge."
  }

  # Optional features are off.
  assert {
    condition     = length(aws_fsx_lustre_file_system.this) == 0 && length(aws_fsx_data_repository_association.data) == 0 && length(aws_kms_grant.fsx_s3_access) == 0 && length(aws_security_group.fsx) == 0
    error_message = "No FSx resources may be created when enable_fsx is false."
  }

  assert {
    condition     = output.fsx_file_system_id == null && output.fsx_mount_name == null
    error_message = "FSx outputs must be null when enable_fsx is false."
  }

  assert {
    condition     = aws_s3_bucket.data[0].object_lock_enabled == false && length(aws_s3_bucket_object_lock_configuration.data) == 0
    error_message = "Object Lock must be off by default."
  }

  assert {
    condition = (
      length(aws_s3_bucket_replication_configuration.this) == 0 && length(aws_iam_role.replication) == 0 &&
      length(aws_s3_bucket.dr_data) == 0 && length(aws_s3_bucket.dr_artifacts) == 0 && length(aws_s3_bucket.dr_logs) == 0 &&
      length(aws_kms_key.dr) == 0 && length(aws_s3_bucket_versioning.dr) == 0 && output.dr_bucket_arns == {}
    )
    error_message = "No replication or DR resources may be created when replication is disabled."
  }

  assert {
    condition     = aws_s3_bucket.data[0].tags["project"] == "fraud-scoring" && aws_s3_bucket.data[0].tags["Name"] == "fraud-scoring-dev-data-123456789012"
    error_message = "Tags must be merged into bucket tags."
  }
}

run "external_kms_key" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    create_kms_key = false
    kms_key_arn    = "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222"
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && length(aws_kms_alias.this) == 0
    error_message = "No CMK may be created when kms_key_arn is given."
  }

  assert {
    condition = alltrue([
      for c in aws_s3_bucket_server_side_encryption_configuration.this : one(c.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == var.kms_key_arn
    ])
    error_message = "Buckets must be encrypted with the given kms_key_arn."
  }

  assert {
    condition     = output.kms_key_arn == var.kms_key_arn
    error_message = "kms_key_arn output must echo the given key."
  }
}

run "fsx_scratch_creates_file_system_and_security_group" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    enable_fsx    = true
    fsx_subnet_id = "subnet-0123456789abcdef0"
  }

  assert {
    condition     = length(aws_fsx_lustre_file_system.this) == 1 && aws_fsx_lustre_file_system.this[0].deployment_type == "SCRATCH_2" && aws_fsx_lustre_file_system.this[0].storage_capacity == 1200
    error_message = "enable_fsx must create one SCRATCH_2 file system of 1200 GiB by default."
  }

  assert {
    # kms_key_id is optional+computed, so the mock fills it in; the module must just not pass the CMK.
    condition     = aws_fsx_lustre_file_system.this[0].kms_key_id != output.kms_key_arn && aws_fsx_lustre_file_system.this[0].per_unit_storage_throughput == null
    error_message = "SCRATCH_2 accepts neither a KMS key nor per-unit throughput."
  }

  assert {
    condition     = length(aws_fsx_data_repository_association.data) == 1 && aws_fsx_data_repository_association.data[0].data_repository_path == "s3://fraud-scoring-dev-data-123456789012" && aws_fsx_data_repository_association.data[0].file_system_path == "/data"
    error_message = "The file system must be linked to the data bucket at /data through a data repository association."
  }

  assert {
    condition     = aws_fsx_lustre_file_system.this[0].import_path == null
    error_message = "The deprecated-style import_path must not be used."
  }

  assert {
    condition     = length(aws_security_group.fsx) == 1 && aws_security_group.fsx[0].vpc_id == "vpc-0123456789abcdef0" && toset(aws_fsx_lustre_file_system.this[0].security_group_ids) == toset([aws_security_group.fsx[0].id])
    error_message = "Without fsx_security_group_ids the module must create a Lustre security group in the subnet's VPC and use it."
  }

  assert {
    condition = toset([for r in aws_vpc_security_group_ingress_rule.fsx : "${r.from_port}-${r.to_port}"]) == toset(["988-988", "1018-1023"]) && alltrue([
      for r in aws_vpc_security_group_ingress_rule.fsx : r.referenced_security_group_id == aws_security_group.fsx[0].id && r.cidr_ipv4 == null
    ])
    error_message = "Lustre ingress must be TCP 988 and 1018-1023 from the group itself only."
  }

  assert {
    condition     = length(aws_kms_grant.fsx_s3_access) == 1 && endswith(aws_kms_grant.fsx_s3_access[0].grantee_principal, "/AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0") && aws_kms_grant.fsx_s3_access[0].key_id == output.kms_key_arn
    error_message = "The FSx S3-access service-linked role must get a grant on the bucket key."
  }

  assert {
    condition     = output.fsx_file_system_id == "fs-0123456789abcdef0" && output.fsx_mount_name == "abcdefgh"
    error_message = "FSx outputs must expose the file system ID and mount name."
  }
}

run "fsx_persistent_uses_cmk_and_given_security_groups" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    enable_fsx              = true
    fsx_deployment_type     = "PERSISTENT_2"
    fsx_storage_capacity_gb = 2400
    fsx_subnet_id           = "subnet-0123456789abcdef0"
    fsx_security_group_ids  = ["sg-0aaaaaaaaaaaaaaaa"]
  }

  assert {
    condition     = aws_fsx_lustre_file_system.this[0].kms_key_id == aws_kms_key.this[0].arn
    error_message = "PERSISTENT_2 file systems must be encrypted with the storage CMK."
  }

  assert {
    condition     = aws_fsx_lustre_file_system.this[0].per_unit_storage_throughput == 125 && aws_fsx_lustre_file_system.this[0].storage_capacity == 2400
    error_message = "PERSISTENT_2 must set per-unit throughput and the requested capacity."
  }

  assert {
    condition     = length(aws_security_group.fsx) == 0 && aws_fsx_lustre_file_system.this[0].security_group_ids == toset(["sg-0aaaaaaaaaaaaaaaa"])
    error_message = "Given fsx_security_group_ids must be used and no extra group created."
  }
}

run "object_lock_enabled" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    object_lock = {
      enabled        = true
      mode           = "COMPLIANCE"
      retention_days = 30
    }
  }

  assert {
    condition     = aws_s3_bucket.data[0].object_lock_enabled == true && length(aws_s3_bucket_object_lock_configuration.data) == 1
    error_message = "object_lock.enabled must turn on Object Lock on the data bucket with a default-retention configuration."
  }

  assert {
    condition     = aws_s3_bucket_object_lock_configuration.data[0].rule[0].default_retention[0].mode == "COMPLIANCE" && aws_s3_bucket_object_lock_configuration.data[0].rule[0].default_retention[0].days == 30
    error_message = "Default retention must follow object_lock.mode and retention_days."
  }

  assert {
    condition     = aws_s3_bucket_object_lock_configuration.data[0].bucket == aws_s3_bucket.data[0].id
    error_message = "Object Lock must apply to the data bucket."
  }
}

run "replication_enabled_creates_dr_side" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    replication = { enabled = true }
  }

  assert {
    condition     = length(aws_s3_bucket.dr_data) == 1 && length(aws_s3_bucket.dr_artifacts) == 1 && length(aws_s3_bucket.dr_logs) == 1 && length(aws_kms_key.dr) == 1
    error_message = "Replication must create DR data, artifacts and log buckets and a DR CMK."
  }

  assert {
    condition     = aws_s3_bucket.dr_logs[0].force_destroy == true && aws_s3_bucket.dr_data[0].force_destroy != true
    error_message = "Only the DR access-log bucket may be force_destroy (logs keep arriving, a destroy would stop on BucketNotEmpty)."
  }

  assert {
    condition     = aws_s3_bucket.dr_artifacts[0].bucket == "fraud-scoring-dev-artifacts-dr-123456789012" && aws_kms_key.dr[0].enable_key_rotation == true
    error_message = "DR bucket names must be <name>-<purpose>-dr-<account id>; the DR CMK must rotate."
  }

  assert {
    condition     = toset(keys(aws_s3_bucket_replication_configuration.this)) == toset(["data", "artifacts"]) && length(aws_iam_role.replication) == 1
    error_message = "Data and artifacts buckets must each get a replication configuration with one replication role."
  }

  assert {
    condition = alltrue([
      for k, c in aws_s3_bucket_replication_configuration.this :
      c.rule[0].status == "Enabled" &&
      c.rule[0].destination[0].bucket == "arn:aws:s3:::fraud-scoring-dev-${k}-dr-123456789012" &&
      c.rule[0].destination[0].encryption_configuration[0].replica_kms_key_id == aws_kms_key.dr[0].arn &&
      c.rule[0].source_selection_criteria[0].sse_kms_encrypted_objects[0].status == "Enabled"
    ])
    error_message = "Each rule must replicate SSE-KMS objects to its DR bucket, re-encrypted with the DR key."
  }

  assert {
    condition = (
      length(aws_s3_bucket_versioning.dr) == 3 && alltrue([for v in aws_s3_bucket_versioning.dr : v.versioning_configuration[0].status == "Enabled"]) &&
      length(aws_s3_bucket_public_access_block.dr) == 3 && alltrue([for p in aws_s3_bucket_public_access_block.dr : p.block_public_acls && p.block_public_policy && p.ignore_public_acls && p.restrict_public_buckets]) &&
      length(aws_s3_bucket_notification.dr) == 3 && length(aws_s3_bucket_lifecycle_configuration.dr) == 3
    )
    error_message = "DR buckets must be versioned, fully public-access-blocked, lifecycle-managed and send EventBridge events."
  }

  assert {
    condition = toset(keys(aws_s3_bucket_server_side_encryption_configuration.dr)) == toset(["data", "artifacts"]) && alltrue([
      for c in aws_s3_bucket_server_side_encryption_configuration.dr : one(c.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" && one(c.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.dr[0].arn
    ])
    error_message = "DR replicas must be encrypted with the DR CMK."
  }

  assert {
    condition = alltrue([
      for k, p in aws_s3_bucket_policy.dr : anytrue([
        for s in jsondecode(p.policy).Statement : s.Effect == "Deny" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
      ])
    ]) && length(aws_s3_bucket_policy.dr) == 3
    error_message = "DR bucket policies must be TLS-only."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.replication[0].policy).Statement :
      s.Effect == "Allow" && !contains(flatten([s.Action]), "*") && !contains(flatten([s.Resource]), "*") && !anytrue([for a in flatten([s.Action]) : endswith(a, ":*")])
    ])
    error_message = "The replication policy must not use wildcard actions or resources."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.replication[0].policy).Statement : s.Resource if s.Sid == "WriteReplicas"
    ])) == toset(["arn:aws:s3:::fraud-scoring-dev-data-dr-123456789012/*", "arn:aws:s3:::fraud-scoring-dev-artifacts-dr-123456789012/*"])
    error_message = "The replication role may write replicas only into the DR buckets."
  }

  assert {
    condition     = output.dr_bucket_arns == { data = "arn:aws:s3:::fraud-scoring-dev-data-dr-123456789012", artifacts = "arn:aws:s3:::fraud-scoring-dev-artifacts-dr-123456789012" }
    error_message = "dr_bucket_arns must list the DR data and artifacts buckets."
  }
}

run "replication_with_given_dr_key" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    replication = {
      enabled     = true
      kms_key_arn = "arn:aws:kms:eu-central-1:123456789012:key/44444444-4444-4444-4444-444444444444"
    }
  }

  assert {
    condition     = length(aws_kms_key.dr) == 0
    error_message = "No DR CMK may be created when replication.kms_key_arn is given."
  }

  assert {
    condition     = alltrue([for c in aws_s3_bucket_replication_configuration.this : c.rule[0].destination[0].encryption_configuration[0].replica_kms_key_id == var.replication.kms_key_arn])
    error_message = "Replicas must be encrypted with replication.kms_key_arn."
  }
}

run "transition_to_ia_off" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    transition_to_ia_days = 0
  }

  assert {
    condition     = alltrue([for lc in aws_s3_bucket_lifecycle_configuration.this : alltrue([for r in lc.rule : length(r.transition) == 0])])
    error_message = "transition_to_ia_days = 0 must remove the STANDARD_IA transition."
  }
}

# Validation rules.

run "rejects_invalid_name" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    name = "Fraud_Scoring"
  }

  expect_failures = [var.name]
}

run "rejects_kms_alias_instead_of_arn" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    kms_key_arn = "alias/data"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_old_fsx_deployment_type" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    fsx_deployment_type = "SCRATCH_1"
  }

  expect_failures = [var.fsx_deployment_type]
}

run "rejects_invalid_fsx_capacity" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    fsx_storage_capacity_gb = 1000
  }

  expect_failures = [var.fsx_storage_capacity_gb]
}

run "requires_subnet_when_fsx_enabled" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    enable_fsx = true
  }

  expect_failures = [var.fsx_subnet_id]
}

run "rejects_short_ia_transition" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    transition_to_ia_days = 10
  }

  expect_failures = [var.transition_to_ia_days]
}

run "rejects_unknown_object_lock_mode" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    object_lock = { enabled = true, mode = "STRICT" }
  }

  expect_failures = [var.object_lock]
}

run "rejects_name_too_long_for_dr_buckets" {
  command = plan

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  variables {
    name        = "a-very-long-project-name-for-dr-test-x"
    replication = { enabled = true }
  }

  expect_failures = [var.replication]
}

run "destroyable_sandbox_has_nothing_blocking_destroy" {
  command = plan

  variables {
    destroyable = true
  }

  assert {
    condition     = length(aws_s3_bucket.data) == 0 && length(aws_s3_bucket.data_destroyable) == 1 && aws_s3_bucket.data_destroyable[0].force_destroy == true
    error_message = "A destroyable stage must hold the data bucket without prevent_destroy and with force_destroy."
  }

  assert {
    condition     = aws_s3_bucket.artifacts.force_destroy == true && aws_s3_bucket.logs.force_destroy == true
    error_message = "Versioned, non-empty artifacts and log buckets must be force-destroyed in a destroyable stage."
  }
}

run "protected_by_default" {
  command = plan

  assert {
    condition     = length(aws_s3_bucket.data) == 1 && length(aws_s3_bucket.data_destroyable) == 0 && aws_s3_bucket.artifacts.force_destroy == false
    error_message = "By default the data bucket keeps prevent_destroy and the artifacts bucket refuses a non-empty destroy."
  }
}
