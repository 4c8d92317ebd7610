data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  account_root_arn = "arn:${local.partition}:iam::${local.account_id}:root"

  descriptions = {
    data      = "Encrypts ML training data (S3, SageMaker volumes)"
    logs      = "Encrypts logs and notifications (CloudWatch Logs, CloudTrail, SNS)"
    artifacts = "Encrypts model artifacts and container images (S3, ECR)"
    eks       = "Encrypts EKS Kubernetes secrets"
    endpoints = "Encrypts SageMaker endpoint storage and async output"
  }

  # In a KMS key policy "Resource": "*" means "the key this policy is attached to";
  # it cannot name any other resource.

  # Key administration and usage stay with IAM in this account (the AWS default key policy
  # statement). Without it the key becomes unmanageable. IAM roles of the other modules
  # get key access through their own identity policies (S3, SageMaker, ECR and EKS use the
  # caller's permissions or grants created by it).
  account_statement = {
    Sid       = "EnableIAMPoliciesInThisAccount"
    Effect    = "Allow"
    Principal = { AWS = local.account_root_arn }
    Action    = "kms:*"
    Resource  = "*"
  }

  # Extra statements for service principals that use the key directly (not on behalf of
  # an IAM principal of this account).
  logs_statements = [
    {
      Sid       = "AllowCloudWatchLogs"
      Effect    = "Allow"
      Principal = { Service = "logs.${local.region}.amazonaws.com" }
      Action = [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ]
      Resource = "*"
      Condition = {
        ArnLike = {
          "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:*"
        }
      }
    },
    {
      Sid       = "AllowCloudTrailEncryptLogFiles"
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "kms:GenerateDataKey*"
      Resource  = "*"
      Condition = {
        StringEquals = {
          "aws:SourceAccount" = local.account_id
        }
        StringLike = {
          "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"
        }
      }
    },
    {
      Sid       = "AllowCloudTrailDescribeKey"
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "kms:DescribeKey"
      Resource  = "*"
      Condition = {
        StringEquals = {
          "aws:SourceAccount" = local.account_id
        }
      }
    },
    {
      # Services that publish to SNS topics encrypted with this key (CloudTrail delivery
      # notifications, CloudWatch alarms, EventBridge rules, AWS Budgets, Cost Anomaly
      # Detection). SNS needs the publisher to be able to create and read data keys.
      Sid    = "AllowAwsServicesToPublishToEncryptedTopics"
      Effect = "Allow"
      Principal = {
        Service = [
          "budgets.amazonaws.com",
          "cloudtrail.amazonaws.com",
          "cloudwatch.amazonaws.com",
          "costalerts.amazonaws.com",
          "events.amazonaws.com",
        ]
      }
      Action = [
        "kms:Decrypt",
        "kms:GenerateDataKey*",
      ]
      Resource = "*"
      Condition = {
        StringEquals = {
          "aws:SourceAccount" = local.account_id
        }
      }
    },
  ]

  # EKS node volumes are encrypted with the eks key; EC2 Auto Scaling launches the nodes through
  # its service-linked role, whose IAM policy cannot be edited, so the key policy must allow it.
  # The role is matched by condition, never named as Principal: KMS rejects a key policy whose
  # principal does not exist yet (MalformedPolicyDocumentException), and in a fresh account
  # AWSServiceRoleForAutoScaling appears only when the first Auto Scaling group is created
  # (here: by the EKS node groups, after this key). No key policy names a principal that may
  # not exist; a condition on aws:PrincipalArn needs no such ordering.
  autoscaling_slr_condition = {
    StringEquals = {
      "aws:PrincipalAccount" = local.account_id
      "aws:PrincipalArn"     = "arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    }
  }

  eks_statements = [
    {
      Sid       = "AllowAutoScalingServiceLinkedRoleUse"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action = [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
      ]
      Resource  = "*"
      Condition = local.autoscaling_slr_condition
    },
    {
      Sid       = "AllowAutoScalingServiceLinkedRoleGrants"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "kms:CreateGrant"
      Resource  = "*"
      Condition = merge(local.autoscaling_slr_condition, {
        Bool = { "kms:GrantIsForAWSResource" = "true" }
      })
    },
  ]

  service_statements = {
    logs = local.logs_statements
    eks  = local.eks_statements
  }
}

resource "aws_kms_key" "this" {
  for_each = var.purposes

  description             = "${var.name} ${each.key}: ${local.descriptions[each.key]}"
  key_usage               = "ENCRYPT_DECRYPT"
  enable_key_rotation     = true
  rotation_period_in_days = var.rotation_period_in_days
  deletion_window_in_days = var.deletion_window_in_days
  multi_region            = false

  policy = jsonencode({
    Version   = "2012-10-17"
    Id        = "${var.name}-${each.key}"
    Statement = concat([local.account_statement], lookup(local.service_statements, each.key, []))
  })

  tags = merge(var.tags, {
    Name    = "${var.name}-${each.key}"
    Purpose = each.key
  })
}

resource "aws_kms_alias" "this" {
  for_each = var.purposes

  name          = "alias/${var.name}-${each.key}"
  target_key_id = aws_kms_key.this[each.key].key_id
}
