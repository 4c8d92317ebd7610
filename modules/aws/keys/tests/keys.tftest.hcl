mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
      arn        = "arn:aws:iam::123456789012:user/test"
      user_id    = "AIDATEST"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition          = "aws"
      dns_suffix         = "amazonaws.com"
      reverse_dns_prefix = "com.amazonaws"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
      id   = "eu-west-1"
    }
  }

  mock_resource "aws_kms_key" {
    override_during = plan
    defaults = {
      arn    = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
      key_id = "00000000-0000-0000-0000-000000000000"
    }
  }
}

variables {
  name = "fraud-scoring-dev"
}

run "defaults_create_one_rotating_key_per_default_purpose" {
  command = plan

  assert {
    condition     = toset(keys(aws_kms_key.this)) == toset(["data", "logs", "artifacts"])
    error_message = "Default purposes must create exactly the data, logs and artifacts keys."
  }

  assert {
    condition     = alltrue([for k in aws_kms_key.this : k.enable_key_rotation == true])
    error_message = "Every key must have automatic rotation enabled."
  }

  assert {
    condition     = alltrue([for k in aws_kms_key.this : k.rotation_period_in_days == 365])
    error_message = "Default rotation period must be 365 days."
  }

  assert {
    condition     = alltrue([for k in aws_kms_key.this : k.deletion_window_in_days == 30])
    error_message = "Default deletion window must be 30 days."
  }

  assert {
    condition     = alltrue([for k in aws_kms_key.this : k.key_usage == "ENCRYPT_DECRYPT" && k.multi_region == false])
    error_message = "Keys must be single-region symmetric encryption keys."
  }

  assert {
    condition     = output.alias_names == { data = "alias/fraud-scoring-dev-data", logs = "alias/fraud-scoring-dev-logs", artifacts = "alias/fraud-scoring-dev-artifacts" }
    error_message = "Aliases must be alias/<name>-<purpose>."
  }

  assert {
    condition     = toset(keys(output.key_arns)) == toset(["data", "logs", "artifacts"]) && toset(keys(output.key_ids)) == toset(["data", "logs", "artifacts"])
    error_message = "key_arns and key_ids must be keyed by purpose."
  }

  assert {
    condition     = output.key_arns["data"] == "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    error_message = "key_arns must expose the key ARN."
  }
}

run "all_purposes_one_key_and_alias_each" {
  command = plan

  variables {
    purposes                = ["data", "logs", "artifacts", "eks", "endpoints"]
    deletion_window_in_days = 7
  }

  assert {
    condition     = length(aws_kms_key.this) == 5 && length(aws_kms_alias.this) == 5
    error_message = "One key and one alias per purpose."
  }

  assert {
    condition     = alltrue([for p, k in aws_kms_key.this : k.enable_key_rotation == true && k.deletion_window_in_days == 7])
    error_message = "Every key must rotate and use the requested deletion window."
  }

  assert {
    condition     = alltrue([for p, a in aws_kms_alias.this : a.name == "alias/fraud-scoring-dev-${p}"])
    error_message = "Alias names must be alias/<name>-<purpose>."
  }

  assert {
    condition     = aws_kms_key.this["eks"].tags["Purpose"] == "eks" && aws_kms_key.this["endpoints"].tags["Name"] == "fraud-scoring-dev-endpoints"
    error_message = "Keys must be tagged with Name and Purpose."
  }
}

run "key_policies_grant_only_what_each_purpose_needs" {
  command = plan

  variables {
    purposes = ["data", "logs", "artifacts", "eks", "endpoints"]
  }

  # No key policy may allow a wildcard principal, unless a condition pins it to one principal
  # ARN in this account.
  assert {
    condition = alltrue(flatten([
      for k in aws_kms_key.this : [
        for s in jsondecode(k.policy).Statement : (
          (!contains(["*"], try(s.Principal.AWS, "")) && try(s.Principal, "") != "*") ||
          (can(s.Condition.StringEquals["aws:PrincipalArn"]) && try(s.Condition.StringEquals["aws:PrincipalAccount"], "") == "123456789012")
        )
      ]
    ]))
    error_message = "No key policy statement may use a wildcard principal without pinning aws:PrincipalArn and aws:PrincipalAccount."
  }

  # No key policy names a service-linked role as principal: it may not exist yet in a fresh
  # account, and KMS then rejects the whole policy (MalformedPolicyDocumentException).
  assert {
    condition = alltrue(flatten([
      for k in aws_kms_key.this : [
        for s in jsondecode(k.policy).Statement : [
          for p in flatten([try(s.Principal.AWS, [])]) : !strcontains(p, ":role/aws-service-role/")
        ]
      ]
    ]))
    error_message = "A key policy names a service-linked role as principal; match it with an aws:PrincipalArn condition instead."
  }

  # Every key keeps the account (IAM) administration statement.
  assert {
    condition = alltrue([
      for k in aws_kms_key.this : jsondecode(k.policy).Statement[0].Principal.AWS == "arn:aws:iam::123456789012:root"
    ])
    error_message = "Every key must delegate administration to IAM in this account."
  }

  # Only the logs key trusts AWS service principals; the eks key adds only the Auto Scaling
  # service-linked role (it launches EKS nodes with volumes encrypted by this key).
  assert {
    condition = alltrue([
      for p, k in aws_kms_key.this : contains(["logs", "eks"], p) || length(jsondecode(k.policy).Statement) == 1
    ])
    error_message = "Only the logs and eks keys may grant access beyond IAM in this account."
  }

  assert {
    condition = alltrue([
      for s in slice(jsondecode(aws_kms_key.this["eks"].policy).Statement, 1, 3) :
      s.Condition.StringEquals["aws:PrincipalArn"] == "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    ]) && length(jsondecode(aws_kms_key.this["eks"].policy).Statement) == 3
    error_message = "The eks key must let (only) the Auto Scaling service-linked role use it for node volumes."
  }

  assert {
    condition     = jsondecode(aws_kms_key.this["eks"].policy).Statement[2].Condition.Bool["kms:GrantIsForAWSResource"] == "true"
    error_message = "Auto Scaling may create grants only for AWS resources."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_kms_key.this["logs"].policy).Statement : s if s.Sid == "AllowCloudWatchLogs"
      ]).Principal.Service == "logs.eu-west-1.amazonaws.com" && one([
      for s in jsondecode(aws_kms_key.this["logs"].policy).Statement : s if s.Sid == "AllowCloudWatchLogs"
    ]).Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"] == "arn:aws:logs:eu-west-1:123456789012:*"
    error_message = "The logs key must let CloudWatch Logs of this region and account use it (encryption context condition)."
  }

  assert {
    condition = jsonencode(one([
      for s in jsondecode(aws_kms_key.this["logs"].policy).Statement : s if s.Sid == "AllowCloudTrailEncryptLogFiles"
      ])) == jsonencode({
      Sid       = "AllowCloudTrailEncryptLogFiles"
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "kms:GenerateDataKey*"
      Resource  = "*"
      Condition = {
        StringEquals = { "aws:SourceAccount" = "123456789012" }
        StringLike   = { "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:aws:cloudtrail:*:123456789012:trail/*" }
      }
    })
    error_message = "The logs key must let CloudTrail of this account (and only it) encrypt log files."
  }

  assert {
    condition = jsonencode(one([
      for s in jsondecode(aws_kms_key.this["logs"].policy).Statement : s if s.Sid == "AllowAwsServicesToPublishToEncryptedTopics"
      ])) == jsonencode({
      Sid    = "AllowAwsServicesToPublishToEncryptedTopics"
      Effect = "Allow"
      Principal = { Service = [
        "budgets.amazonaws.com",
        "cloudtrail.amazonaws.com",
        "cloudwatch.amazonaws.com",
        "costalerts.amazonaws.com",
        "events.amazonaws.com",
      ] }
      Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
      Resource  = "*"
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    })
    error_message = "The logs key must let SNS event sources (CloudTrail, CloudWatch, EventBridge, Budgets, Cost Anomaly Detection) publish to encrypted topics, scoped to this account."
  }
}

run "deletion_window_below_7_is_rejected" {
  command = plan

  variables {
    deletion_window_in_days = 6
  }

  expect_failures = [var.deletion_window_in_days]
}

run "deletion_window_above_30_is_rejected" {
  command = plan

  variables {
    deletion_window_in_days = 31
  }

  expect_failures = [var.deletion_window_in_days]
}

run "unknown_purpose_is_rejected" {
  command = plan

  variables {
    purposes = ["data", "secrets"]
  }

  expect_failures = [var.purposes]
}

run "rotation_period_out_of_range_is_rejected" {
  command = plan

  variables {
    rotation_period_in_days = 30
  }

  expect_failures = [var.rotation_period_in_days]
}

run "invalid_name_is_rejected" {
  command = plan

  variables {
    name = "Fraud_Scoring"
  }

  expect_failures = [var.name]
}
