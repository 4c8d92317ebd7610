# Execution role SageMaker assumes to pull the image and model data, write logs, data
# capture and async results, and (with subnet_ids) attach the containers to the VPC.
# Every statement is scoped to the resources of this endpoint; the only Resource "*"
# statements are for actions that have no resource-level permissions, pinned to the region.

locals {
  this_region   = { StringEquals = { "aws:RequestedRegion" = local.region } }
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/Endpoints/${local.endpoint_name}"
  # The volume key, the artifacts bucket's key, and the SNS key only when async notifications publish.
  kms_key_arns = distinct(compact([var.kms_key_arn, var.artifacts_kms_key_arn, local.is_async ? local.sns_kms_key_arn : null]))
  pull_arns    = distinct(compact(concat(var.ecr_repository_arns, [local.ecr_repository_arn])))
  subnet_arns  = [for s in var.subnet_ids : "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/${s}"]
  sg_arns      = [for g in var.security_group_ids : "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/${g}"]
  eni_arn      = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"

  trust_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "SageMakerAssumeRole"
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })

  # Optional groups use [for s in [ ... ] : s if <condition>]: the statements are
  # included only when the feature that needs them is on.
  statements = concat(
    [
      {
        # Model data and async request payloads (uploaded by clients to the artifacts bucket).
        Sid      = "ArtifactsRead"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = distinct(compact(["${var.artifacts_bucket_arn}/*", local.model_data_arn]))
      },
      {
        Sid      = "ArtifactsList"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = [var.artifacts_bucket_arn]
      },
      {
        Sid      = "KmsUse"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt", "kms:DescribeKey"]
        Resource = local.kms_key_arns
      },
      {
        # SageMaker creates grants so endpoint instances can encrypt their ML volumes.
        Sid       = "KmsGrantForVolumes"
        Effect    = "Allow"
        Action    = ["kms:CreateGrant"]
        Resource  = [var.kms_key_arn]
        Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
      },
      {
        Sid      = "EndpointLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = [local.log_group_arn, "${local.log_group_arn}:*"]
      },
      {
        # cloudwatch:PutMetricData has no resource-level permissions (Resource "*" is
        # required); the namespace condition limits it to SageMaker endpoint metrics.
        Sid      = "EndpointMetrics"
        Effect   = "Allow"
        Action   = ["cloudwatch:PutMetricData"]
        Resource = ["*"]
        Condition = {
          StringEquals = {
            "cloudwatch:namespace" = "/aws/sagemaker/Endpoints"
            "aws:RequestedRegion"  = local.region
          }
        }
      },
    ],
    [for s in [
      {
        # ecr:GetAuthorizationToken has no resource-level permissions: AWS requires
        # Resource "*" (documented exception). The image pull itself is scoped below.
        Sid       = "EcrAuthToken"
        Effect    = "Allow"
        Action    = ["ecr:GetAuthorizationToken"]
        Resource  = ["*"]
        Condition = local.this_region
      },
    ] : s if length(local.pull_arns) > 0],
    [for s in [
      {
        Sid      = "EcrPull"
        Effect   = "Allow"
        Action   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        Resource = local.pull_arns
      },
    ] : s if length(local.pull_arns) > 0],
    [for s in [
      {
        Sid      = "DataCaptureWrite"
        Effect   = "Allow"
        Action   = ["s3:PutObject"]
        Resource = ["${var.artifacts_bucket_arn}/data-capture/*"]
      },
    ] : s if var.enable_data_capture],
    [for s in [
      {
        Sid      = "AsyncOutputWrite"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:AbortMultipartUpload"]
        Resource = ["${local.async_output_arn}/*", "${local.async_output_arn}-failures/*"]
      },
      {
        Sid      = "AsyncNotifications"
        Effect   = "Allow"
        Action   = ["sns:Publish"]
        Resource = concat(aws_sns_topic.async_success[*].arn, aws_sns_topic.async_error[*].arn)
      },
    ] : s if local.is_async],
    [for s in [
      {
        # SageMaker creates the containers' ENIs in the given subnets with the given groups.
        Sid      = "VpcCreateEni"
        Effect   = "Allow"
        Action   = ["ec2:CreateNetworkInterface"]
        Resource = concat(local.subnet_arns, local.sg_arns, [local.eni_arn])
      },
      {
        # ENI ids are not known in advance; ec2:Subnet pins them to the given subnets.
        Sid      = "VpcManageEni"
        Effect   = "Allow"
        Action   = ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"]
        Resource = [local.eni_arn]
        Condition = {
          ArnEquals = { "ec2:Subnet" = local.subnet_arns }
        }
      },
      {
        # EC2 Describe* actions have no resource-level permissions: AWS requires
        # Resource "*" (documented exception); read-only and pinned to this region.
        Sid    = "VpcDescribe"
        Effect = "Allow"
        Action = [
          "ec2:DescribeDhcpOptions",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSubnets",
          "ec2:DescribeVpcs",
        ]
        Resource  = ["*"]
        Condition = local.this_region
      },
    ] : s if local.use_vpc],
  )
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-sagemaker-endpoint"
  description          = "SageMaker endpoint execution role for ${var.name}"
  assume_role_policy   = local.trust_policy
  max_session_duration = 3600

  tags = merge(var.tags, { Name = "${var.name}-sagemaker-endpoint" })
}

resource "aws_iam_role_policy" "this" {
  name = "sagemaker-endpoint"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.statements
  })
}
