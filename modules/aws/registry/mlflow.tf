# Optional SageMaker managed MLflow tracking server. Its role may only read and write the
# mlflow/ prefix of the artifacts bucket, use the bucket's KMS key, and register models
# in the SageMaker model registry (automatic_model_registration).

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  mlflow_prefix = "mlflow"

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id

  artifacts_bucket_arn = var.artifacts_bucket_arn != null ? var.artifacts_bucket_arn : (
    var.artifacts_bucket_name != null ? "arn:${local.partition}:s3:::${var.artifacts_bucket_name}" : null
  )
  # Only the key of the artifact store: the ECR key (kms_key_arn) encrypts images MLflow never reads.
  artifacts_kms_key_arns = [coalesce(var.artifacts_kms_key_arn, var.kms_key_arn)]

  mlflow_trust_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "SageMakerAssumeRole"
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })

  mlflow_policy = !var.enable_mlflow ? null : jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ArtifactStoreObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = ["${local.artifacts_bucket_arn}/${local.mlflow_prefix}/*"]
      },
      {
        Sid      = "ArtifactStoreList"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [local.artifacts_bucket_arn]
        Condition = {
          StringLike = { "s3:prefix" = [local.mlflow_prefix, "${local.mlflow_prefix}/*"] }
        }
      },
      {
        Sid      = "ArtifactStoreBucketLocation"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation"]
        Resource = [local.artifacts_bucket_arn]
      },
      {
        Sid      = "ArtifactStoreKms"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource = local.artifacts_kms_key_arns
      },
      {
        # automatic_model_registration creates one model package group per MLflow
        # registered model, so group names are not known here: scope to this account/region.
        Sid    = "ModelRegistry"
        Effect = "Allow"
        Action = [
          "sagemaker:AddTags",
          "sagemaker:CreateModelPackage",
          "sagemaker:CreateModelPackageGroup",
          "sagemaker:DescribeModelPackage",
          "sagemaker:DescribeModelPackageGroup",
          "sagemaker:ListModelPackages",
          "sagemaker:UpdateModelPackage",
        ]
        Resource = [
          "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:model-package-group/*",
          "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:model-package/*",
        ]
      },
    ]
  })
}

resource "aws_iam_role" "mlflow" {
  count = var.enable_mlflow ? 1 : 0

  name                 = "${var.name}-mlflow"
  description          = "SageMaker managed MLflow tracking server ${var.name}-mlflow"
  assume_role_policy   = local.mlflow_trust_policy
  max_session_duration = 3600

  tags = merge(var.tags, { Name = "${var.name}-mlflow" })
}

resource "aws_iam_role_policy" "mlflow" {
  count = var.enable_mlflow ? 1 : 0

  name   = "mlflow-artifact-store"
  role   = aws_iam_role.mlflow[0].id
  policy = local.mlflow_policy
}

resource "aws_sagemaker_mlflow_tracking_server" "this" {
  count = var.enable_mlflow ? 1 : 0

  tracking_server_name         = "${var.name}-mlflow"
  role_arn                     = aws_iam_role.mlflow[0].arn
  artifact_store_uri           = "s3://${var.artifacts_bucket_name}/${local.mlflow_prefix}"
  tracking_server_size         = var.mlflow_server_size
  mlflow_version               = var.mlflow_version
  automatic_model_registration = true

  tags = merge(var.tags, { Name = "${var.name}-mlflow" })

  # The server validates access to the artifact store on creation.
  depends_on = [aws_iam_role_policy.mlflow]
}
