data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  partition      = data.aws_partition.current.partition
  account_id     = data.aws_caller_identity.current.account_id
  cluster_name   = var.name
  log_group_name = "/aws/eks/${var.name}/cluster"

  # All five control-plane log types (checkov CKV_AWS_37).
  cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
}

# Pre-created so EKS does not create an unencrypted group with infinite retention.
resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

# Extra security group on the control-plane ENIs. EKS also creates its own
# cluster security group (self-referencing only). No rule here is public:
# api_ingress_cidr_blocks rejects 0.0.0.0/0 and ::/0, and the endpoint is private.
resource "aws_security_group" "cluster" {
  name_prefix = "${var.name}-eks-api-"
  description = "Additional EKS control-plane security group for ${var.name}: private API access only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-eks-api" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "api" {
  for_each = toset(var.api_ingress_cidr_blocks)

  security_group_id = aws_security_group.cluster.id
  description       = "Kubernetes API (HTTPS) from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = strcontains(each.value, ":") ? null : each.value
  cidr_ipv6         = strcontains(each.value, ":") ? each.value : null
  tags              = var.tags
}

resource "aws_eks_cluster" "this" {
  name     = local.cluster_name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn

  enabled_cluster_log_types = local.cluster_log_types

  # Core add-ons are installed below as managed add-ons instead.
  bootstrap_self_managed_addons = false

  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = false
  }

  encryption_config {
    resources = ["secrets"]

    provider {
      key_arn = var.kms_key_arn
    }
  }

  upgrade_policy {
    support_type = var.support_type
  }

  vpc_config {
    subnet_ids              = var.subnet_ids
    security_group_ids      = [aws_security_group.cluster.id]
    endpoint_private_access = true
    endpoint_public_access  = false
  }

  tags = var.tags

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy.cluster_kms,
  ]
}

locals {
  # Cluster administrators: the module's deployer role (always, so kubectl works from day one)
  # plus any roles the caller lists. Static keys so for_each works before the roles exist.
  admin_principals = merge(
    { deployer = aws_iam_role.deployer.arn },
    { for arn in var.admin_principal_arns : arn => arn },
  )

  # Kubernetes group of the roles that may only run training jobs (bound to a namespaced Role
  # by the generated k8s/rbac.yaml), e.g. the CI apply role.
  training_deployers_group = "${var.training_namespace}-deployers"
}

resource "aws_eks_access_entry" "admin" {
  for_each = local.admin_principals

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  type          = "STANDARD"
  tags          = var.tags
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = local.admin_principals

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.admin[each.key].principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

# Roles that deploy training jobs only (CI): no access policy, only a Kubernetes group whose
# permissions k8s/rbac.yaml grants in the training namespace (PyTorchJobs, pods, logs).
resource "aws_eks_access_entry" "training_deployer" {
  for_each = toset(var.training_deployer_role_names)

  cluster_name      = aws_eks_cluster.this.name
  principal_arn     = "arn:${local.partition}:iam::${local.account_id}:role/${each.value}"
  type              = "STANDARD"
  kubernetes_groups = [local.training_deployers_group]
  tags              = var.tags
}
