# Execution role assumed by SageMaker for training jobs. Every statement is scoped to the
# ARNs passed in; the only Resource "*" statements are for actions that have no
# resource-level permissions (see the comment on each), and those are pinned to this
# region with aws:RequestedRegion.

locals {
  vpc_arn            = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc/${var.vpc_id}"
  subnet_arns        = [for s in var.subnet_ids : "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/${s}"]
  security_group_arn = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/${aws_security_group.this.id}"
  eni_arn            = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"
  this_region        = { StringEquals = { "aws:RequestedRegion" = local.region } }

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

  statements = concat(
    [
      {
        Sid      = "DataRead"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${var.data_bucket_arn}/*"]
      },
      {
        Sid      = "DataList"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = [var.data_bucket_arn]
      },
      {
        # Model output, checkpoints (written and pruned during training), code and
        # debugger/profiler output. AbortMultipartUpload cleans up failed large uploads.
        Sid      = "ArtifactsReadWrite"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
        Resource = ["${var.artifacts_bucket_arn}/*"]
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
        Resource = var.kms_key_arns
      },
      {
        # SageMaker creates grants so the training instances can encrypt their ML volumes.
        Sid       = "KmsGrantForVolumes"
        Effect    = "Allow"
        Action    = ["kms:CreateGrant"]
        Resource  = var.kms_key_arns
        Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
      },
      {
        # ecr:GetAuthorizationToken has no resource-level permissions: AWS requires
        # Resource "*" (documented exception). Image pulls are scoped below.
        Sid       = "EcrAuthToken"
        Effect    = "Allow"
        Action    = ["ecr:GetAuthorizationToken"]
        Resource  = ["*"]
        Condition = local.this_region
      },
    ],
    var.mlflow_tracking_server_arn == null ? [] : [
      {
        # Jobs log runs, metrics and models to the managed MLflow tracking server (the
        # sagemaker-mlflow plugin signs every MLflow REST call as sagemaker-mlflow:<Api>).
        Sid      = "MlflowTracking"
        Effect   = "Allow"
        Action   = ["sagemaker-mlflow:*"]
        Resource = [var.mlflow_tracking_server_arn]
      },
      {
        Sid      = "MlflowDescribe"
        Effect   = "Allow"
        Action   = ["sagemaker:DescribeMlflowTrackingServer"]
        Resource = [var.mlflow_tracking_server_arn]
      },
    ],
    length(var.ecr_repository_arns) == 0 ? [] : [
      {
        Sid      = "EcrPull"
        Effect   = "Allow"
        Action   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        Resource = var.ecr_repository_arns
      },
    ],
    [
      {
        Sid    = "TrainingLogs"
        Effect = "Allow"
        Action = concat(
          ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          # Only needed when SageMaker has to create the group itself.
          var.create_log_group ? [] : ["logs:CreateLogGroup"],
        )
        Resource = [local.log_group_arn, "${local.log_group_arn}:*"]
      },
      {
        # Processing jobs (batch scoring): SageMaker creates the group on first use.
        Sid      = "ProcessingLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = [local.processing_log_group_arn, "${local.processing_log_group_arn}:*"]
      },
      {
        # cloudwatch:PutMetricData has no resource-level permissions (Resource "*" is
        # required); the namespace condition limits it to SageMaker training metrics.
        Sid      = "TrainingMetrics"
        Effect   = "Allow"
        Action   = ["cloudwatch:PutMetricData"]
        Resource = ["*"]
        Condition = {
          StringEquals = {
            "cloudwatch:namespace" = ["/aws/sagemaker/TrainingJobs", "/aws/sagemaker/ProcessingJobs"]
            "aws:RequestedRegion"  = local.region
          }
        }
      },
      {
        # SageMaker creates the job's ENIs in the given subnets with this security group.
        Sid      = "VpcCreateEni"
        Effect   = "Allow"
        Action   = ["ec2:CreateNetworkInterface"]
        Resource = concat(local.subnet_arns, [local.security_group_arn, local.eni_arn])
      },
      {
        # ENI ids are not known in advance; ec2:Vpc pins them to the project VPC.
        Sid      = "VpcManageEni"
        Effect   = "Allow"
        Action   = ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"]
        Resource = [local.eni_arn]
        Condition = {
          ArnEquals = { "ec2:Vpc" = local.vpc_arn }
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
    ],
  )
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-sagemaker-training"
  description          = "SageMaker training job execution role for ${var.name}"
  assume_role_policy   = local.trust_policy
  max_session_duration = 3600

  tags = merge(var.tags, { Name = "${var.name}-sagemaker-training" })
}

resource "aws_iam_role_policy" "this" {
  name = "sagemaker-training"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.statements
  })
}
