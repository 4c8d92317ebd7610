locals {
  # Trust policy for roles used through EKS Pod Identity, limited by the session
  # tags EKS adds (cluster, namespace, service account).
  pod_identity_trust = {
    for k, sa in {
      training           = { namespace = var.training_namespace, service_account = var.training_service_account }
      vpc_cni            = { namespace = "kube-system", service_account = "aws-node" }
      cluster_autoscaler = { namespace = "kube-system", service_account = local.cluster_autoscaler_service_account }
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

  cluster_autoscaler_service_account = "cluster-autoscaler"

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

# --- Node autoscaling ----------------------------------------------------------
# Cluster Autoscaler (k8s/cluster-autoscaler.yaml) scales the GPU node groups from zero. It may
# only change Auto Scaling groups tagged as owned by this cluster; describe calls cannot be
# scoped to resources. Policy after the autoscaler's AWS guide
# (kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md, read 2026-12-02).

resource "aws_iam_role" "cluster_autoscaler" {
  name                 = "${var.name}-eks-autoscaler"
  description          = "Cluster Autoscaler (kube-system/${local.cluster_autoscaler_service_account}) via EKS Pod Identity for ${var.name}"
  max_session_duration = 3600
  assume_role_policy   = local.pod_identity_trust["cluster_autoscaler"]
  tags                 = var.tags
}

resource "aws_iam_role_policy" "cluster_autoscaler" {
  name = "scale-own-node-groups"
  role = aws_iam_role.cluster_autoscaler.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "DescribeScalingInputs"
        Effect = "Allow"
        Action = [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ]
        Resource = "*"
      },
      {
        Sid      = "DescribeOwnNodeGroups"
        Effect   = "Allow"
        Action   = ["eks:DescribeNodegroup"]
        Resource = "arn:${local.partition}:eks:${data.aws_region.current.name}:${local.account_id}:nodegroup/${local.cluster_name}/*/*"
      },
      {
        Sid      = "ScaleOwnNodeGroups"
        Effect   = "Allow"
        Action   = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
        Resource = "arn:${local.partition}:autoscaling:${data.aws_region.current.name}:${local.account_id}:autoScalingGroup:*:autoScalingGroupName/*"
        Condition = {
          StringEquals = { "aws:ResourceTag/k8s.io/cluster-autoscaler/${local.cluster_name}" = "owned" }
        }
      },
    ]
  })
}

resource "aws_eks_pod_identity_association" "cluster_autoscaler" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = "kube-system"
  service_account = local.cluster_autoscaler_service_account
  role_arn        = aws_iam_role.cluster_autoscaler.arn
  tags            = var.tags

  depends_on = [aws_eks_addon.before_compute]
}

# --- The way in: deployer role and SSM port forwarding ----------------------------
# The API endpoint is private. A person reaches it with `make kube-tunnel`: an SSM Session
# Manager port forward through a system node to the API endpoint (no bastion, no VPN, no
# public endpoint). The deployer role is the cluster admin (access entry in main.tf); anyone
# in this account whose IAM policy allows sts:AssumeRole on it may use it.

resource "aws_iam_role" "deployer" {
  name                 = "${var.name}-eks-deployer"
  description          = "Cluster admin of ${var.name} (EKS access entry); reaches the private API through SSM port forwarding"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountPrincipalsWithIamPermission"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
  tags = var.tags
}

locals {
  # kubectl through the SSM tunnel: kubeconfig, find a system node, port-forward to the API.
  # The deployer role and the training deployer roles (CI) both need it.
  api_tunnel_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Kubeconfig"
        Effect   = "Allow"
        Action   = ["eks:DescribeCluster"]
        Resource = "arn:${local.partition}:eks:${data.aws_region.current.name}:${local.account_id}:cluster/${local.cluster_name}"
      },
      {
        Sid      = "FindSystemNodes"
        Effect   = "Allow"
        Action   = ["ec2:DescribeInstances"]
        Resource = "*"
      },
      {
        Sid      = "PortForwardThroughSystemNodes"
        Effect   = "Allow"
        Action   = ["ssm:StartSession"]
        Resource = "arn:${local.partition}:ec2:${data.aws_region.current.name}:${local.account_id}:instance/*"
        Condition = {
          StringEquals = { "aws:ResourceTag/eks:nodegroup-name" = "${var.name}-system" }
        }
      },
      {
        Sid      = "PortForwardDocumentOnly"
        Effect   = "Allow"
        Action   = ["ssm:StartSession"]
        Resource = "arn:${local.partition}:ssm:${data.aws_region.current.name}::document/AWS-StartPortForwardingSessionToRemoteHost"
      },
      {
        Sid      = "OwnSessions"
        Effect   = "Allow"
        Action   = ["ssm:TerminateSession", "ssm:ResumeSession"]
        Resource = "arn:${local.partition}:ssm:*:${local.account_id}:session/$${aws:userid}-*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "deployer" {
  name   = "kubeconfig-and-api-tunnel"
  role   = aws_iam_role.deployer.id
  policy = local.api_tunnel_policy
}

# CI (a training deployer) runs outside the VPC too: it reaches the API the same way.
resource "aws_iam_role_policy" "training_deployer_tunnel" {
  for_each = toset(var.training_deployer_role_names)

  name   = "${var.name}-eks-api-tunnel"
  role   = each.value
  policy = local.api_tunnel_policy
}

# The system nodes run the SSM agent (in the EKS-optimized AL2023 AMI) as the tunnel's hop.
resource "aws_iam_role_policy_attachment" "system_node_ssm" {
  role       = aws_iam_role.node.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}
