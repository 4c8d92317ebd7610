locals {
  # Trust policy for roles used through EKS Pod Identity, limited by the session
  # tags EKS adds (cluster, namespace, service account).
  pod_identity_trust = {
    for k, sa in {
      training = { namespace = var.training_namespace, service_account = var.training_service_account }
      vpc_cni  = { namespace = "kube-system", service_account = "aws-node" }
      } : k => jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid       = "AllowEksPodIdentity"
          Effect    = "Allow"
          Principal = { Service = "pods.eks.amazonaws.com" }
          Action    = ["sts:AssumeRole", "sts:TagSession"]
          Condition = {
            StringEquals = {
              "aws:RequestTag/eks-cluster-name"           = local.cluster_name
              "aws:RequestTag/kubernetes-namespace"       = sa.namespace
              "aws:RequestTag/kubernetes-service-account" = sa.service_account
            }
          }
        }]
    })
  }

  data_bucket_objects      = "${var.data_bucket_arn}/*"
  artifacts_bucket_objects = "${var.artifacts_bucket_arn}/*"
}

# --- Control plane -----------------------------------------------------------

resource "aws_iam_role" "cluster" {
  name                 = "${var.name}-eks-cluster"
  description          = "EKS control plane role for ${var.name}"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

# Envelope encryption of Kubernetes secrets with the customer-managed key.
resource "aws_iam_role_policy" "cluster_kms" {
  name = "secrets-encryption"
  role = aws_iam_role.cluster.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "SecretsEnvelopeEncryption"
      Effect   = "Allow"
      Action   = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
      Resource = [var.kms_key_arn]
    }]
  })
}

# --- Nodes -------------------------------------------------------------------
# AmazonEKS_CNI_Policy is deliberately NOT on the node role: it goes to a
# dedicated role bound to kube-system/aws-node via EKS Pod Identity (AWS's
# recommendation), so other pods on a node can never use ENI/IP permissions.

resource "aws_iam_role" "node" {
  name                 = "${var.name}-eks-node"
  description          = "EKS managed node group role for ${var.name}"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "AmazonEKSWorkerNodePolicy",
    # Pull-only subset of AmazonEC2ContainerRegistryReadOnly (no describe/list).
    "AmazonEC2ContainerRegistryPullOnly",
  ])

  role       = aws_iam_role.node.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

resource "aws_iam_role" "vpc_cni" {
  name                 = "${var.name}-eks-vpc-cni"
  description          = "Amazon VPC CNI (kube-system/aws-node) via EKS Pod Identity for ${var.name}"
  max_session_duration = 3600
  assume_role_policy   = local.pod_identity_trust["vpc_cni"]
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "vpc_cni" {
  role       = aws_iam_role.vpc_cni.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonEKS_CNI_Policy"
}

# --- Training workloads --------------------------------------------------------

resource "aws_iam_role" "training" {
  name                 = "${var.name}-eks-training"
  description          = "Training jobs (${var.training_namespace}/${var.training_service_account}) via EKS Pod Identity for ${var.name}"
  max_session_duration = 3600
  assume_role_policy   = local.pod_identity_trust["training"]
  tags                 = var.tags
}

resource "aws_iam_role_policy" "training" {
  name = "training-data-access"
  role = aws_iam_role.training.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ListBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
        Resource = [var.data_bucket_arn, var.artifacts_bucket_arn]
      },
      {
        Sid      = "ReadTrainingData"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource = [local.data_bucket_objects]
      },
      {
        Sid    = "ReadWriteArtifacts"
        Effect = "Allow"
        Action = [
          "s3:GetObject",
          "s3:GetObjectVersion",
          "s3:PutObject",
          "s3:DeleteObject",
          "s3:AbortMultipartUpload",
          "s3:ListMultipartUploadParts",
        ]
        Resource = [local.artifacts_bucket_objects]
      },
      {
        Sid      = "UseBucketKeysThroughS3"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource = var.data_kms_key_arns
        Condition = {
          StringLike = { "kms:ViaService" = "s3.*.amazonaws.com" }
        }
      },
    ]
  })
}
