# Execution role of the Studio domain: assumed by SageMaker for the users' apps and spaces
# (and for jobs users start from Studio with this role). Least privilege: the two buckets,
# the one KMS key, SageMaker resources of this account and region, ECR pulls, SageMaker logs.

locals {
  sagemaker_arn_prefix = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}"
  bucket_arns          = [var.data_bucket_arn, var.artifacts_bucket_arn]
  log_group_prefix     = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/*"
  vpc_arn              = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc/${var.vpc_id}"
}

resource "aws_iam_role" "execution" {
  name        = "${var.name}-studio-execution"
  description = "Execution role of the SageMaker Studio domain ${var.name}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "SageMakerAssume"
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
      }
    }]
  })

  tags = local.tags
}

resource "aws_iam_role_policy" "execution" {
  name = "studio-least-privilege"
  role = aws_iam_role.execution.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "S3ListBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
        Resource = local.bucket_arns
      },
      {
        Sid    = "S3ObjectsReadWrite"
        Effect = "Allow"
        Action = [
          "s3:GetObject",
          "s3:GetObjectVersion",
          "s3:PutObject",
          "s3:DeleteObject",
          "s3:AbortMultipartUpload",
          "s3:ListMultipartUploadParts",
        ]
        Resource = [for b in local.bucket_arns : "${b}/*"]
      },
      {
        Sid    = "KmsUse"
        Effect = "Allow"
        Action = [
          "kms:Decrypt",
          "kms:Encrypt",
          "kms:GenerateDataKey",
          "kms:GenerateDataKeyWithoutPlaintext",
          "kms:ReEncryptFrom",
          "kms:ReEncryptTo",
          "kms:DescribeKey",
        ]
        Resource = [var.kms_key_arn]
      },
      {
        Sid       = "KmsGrantForSageMakerVolumes"
        Effect    = "Allow"
        Action    = ["kms:CreateGrant"]
        Resource  = [var.kms_key_arn]
        Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
      },
      {
        Sid    = "StudioSpacesAndApps"
        Effect = "Allow"
        Action = [
          "sagemaker:DescribeDomain",
          "sagemaker:DescribeUserProfile",
          "sagemaker:DescribeSpace",
          "sagemaker:CreateSpace",
          "sagemaker:UpdateSpace",
          "sagemaker:DeleteSpace",
          "sagemaker:DescribeApp",
          "sagemaker:CreateApp",
          "sagemaker:DeleteApp",
          "sagemaker:AddTags",
          "sagemaker:ListTags",
        ]
        Resource = [
          "${local.sagemaker_arn_prefix}:domain/*",
          "${local.sagemaker_arn_prefix}:user-profile/*",
          "${local.sagemaker_arn_prefix}:space/*",
          "${local.sagemaker_arn_prefix}:app/*",
        ]
      },
      {
        Sid    = "SageMakerJobsAndExperiments"
        Effect = "Allow"
        Action = [
          "sagemaker:CreateTrainingJob",
          "sagemaker:DescribeTrainingJob",
          "sagemaker:StopTrainingJob",
          "sagemaker:CreateProcessingJob",
          "sagemaker:DescribeProcessingJob",
          "sagemaker:StopProcessingJob",
          "sagemaker:CreateTransformJob",
          "sagemaker:DescribeTransformJob",
          "sagemaker:StopTransformJob",
          "sagemaker:CreateHyperParameterTuningJob",
          "sagemaker:DescribeHyperParameterTuningJob",
          "sagemaker:StopHyperParameterTuningJob",
          "sagemaker:CreateExperiment",
          "sagemaker:DescribeExperiment",
          "sagemaker:CreateTrial",
          "sagemaker:DescribeTrial",
          "sagemaker:CreateTrialComponent",
          "sagemaker:DescribeTrialComponent",
          "sagemaker:UpdateTrialComponent",
          "sagemaker:AssociateTrialComponent",
          "sagemaker:BatchPutMetrics",
          "sagemaker:CreateModel",
          "sagemaker:DescribeModel",
          "sagemaker:CreateModelPackage",
          "sagemaker:DescribeModelPackage",
          "sagemaker:DescribeModelPackageGroup",
          "sagemaker:DescribeImage",
          "sagemaker:DescribeImageVersion",
          "sagemaker:DescribeAppImageConfig",
        ]
        Resource = ["${local.sagemaker_arn_prefix}:*"]
      },
      {
        # List/Search calls have no resource-level permissions in IAM: they need Resource "*"
        # and only ever return this account's resources; the condition pins them to the region.
        Sid    = "SageMakerListAndSearchInRegion"
        Effect = "Allow"
        Action = [
          "sagemaker:ListApps",
          "sagemaker:ListSpaces",
          "sagemaker:ListDomains",
          "sagemaker:ListUserProfiles",
          "sagemaker:ListTrainingJobs",
          "sagemaker:ListProcessingJobs",
          "sagemaker:ListTransformJobs",
          "sagemaker:ListHyperParameterTuningJobs",
          "sagemaker:ListExperiments",
          "sagemaker:ListTrials",
          "sagemaker:ListTrialComponents",
          "sagemaker:ListModels",
          "sagemaker:ListModelPackages",
          "sagemaker:ListModelPackageGroups",
          "sagemaker:ListImages",
          "sagemaker:ListAppImageConfigs",
          "sagemaker:Search",
          "sagemaker:GetSearchSuggestions",
        ]
        Resource  = ["*"]
        Condition = { StringEquals = { "aws:RequestedRegion" = local.region } }
      },
      {
        Sid       = "PassThisRoleToSageMakerJobs"
        Effect    = "Allow"
        Action    = ["iam:PassRole"]
        Resource  = [aws_iam_role.execution.arn]
        Condition = { StringEquals = { "iam:PassedToService" = "sagemaker.amazonaws.com" } }
      },
      {
        # GetAuthorizationToken has no resource-level permissions; the pulls below are scoped.
        Sid      = "EcrAuthToken"
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken"]
        Resource = ["*"]
      },
      {
        Sid    = "EcrPullInAccountRegion"
        Effect = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:DescribeImages",
        ]
        Resource = ["arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/*"]
      },
      {
        Sid    = "SageMakerLogs"
        Effect = "Allow"
        Action = [
          "logs:CreateLogGroup",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
          "logs:DescribeLogStreams",
          "logs:GetLogEvents",
        ]
        Resource = [local.log_group_prefix, "${local.log_group_prefix}:log-stream:*"]
      },
      {
        # Jobs started from Studio with a VPC config attach ENIs in this VPC only.
        Sid    = "VpcDescribe"
        Effect = "Allow"
        Action = [
          "ec2:DescribeVpcs",
          "ec2:DescribeSubnets",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeDhcpOptions",
        ]
        Resource = ["*"]
      },
      {
        Sid    = "VpcJobNetworkInterfaces"
        Effect = "Allow"
        Action = [
          "ec2:CreateNetworkInterface",
          "ec2:CreateNetworkInterfacePermission",
          "ec2:DeleteNetworkInterface",
          "ec2:DeleteNetworkInterfacePermission",
        ]
        Resource = [
          "arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*",
          "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/*",
          "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*",
        ]
        Condition = { ArnEqualsIfExists = { "ec2:Vpc" = local.vpc_arn } }
      },
    ]
  })
}
