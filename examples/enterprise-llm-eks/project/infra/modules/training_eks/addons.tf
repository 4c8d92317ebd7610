locals {
  # Managed add-ons. No addon_version is pinned: EKS installs the default
  # version for the cluster's Kubernetes version.
  # before_compute add-ons are daemonsets nodes need to become Ready;
  # the others need running nodes (CoreDNS) or are workload-facing.
  addons = {
    "vpc-cni"                      = { before_compute = true, pod_identity_service_account = "aws-node" }
    "kube-proxy"                   = { before_compute = true, pod_identity_service_account = null }
    "eks-pod-identity-agent"       = { before_compute = true, pod_identity_service_account = null }
    "coredns"                      = { before_compute = false, pod_identity_service_account = null }
    "aws-mountpoint-s3-csi-driver" = { before_compute = false, pod_identity_service_account = null }
  }

  addon_pod_identity_roles = {
    "vpc-cni" = aws_iam_role.vpc_cni.arn
  }
}

resource "aws_eks_addon" "before_compute" {
  for_each = { for k, v in local.addons : k => v if v.before_compute }

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  dynamic "pod_identity_association" {
    for_each = each.value.pod_identity_service_account == null ? [] : [each.value.pod_identity_service_account]
    content {
      role_arn        = local.addon_pod_identity_roles[each.key]
      service_account = pod_identity_association.value
    }
  }

  tags = var.tags
}

# The Mountpoint S3 CSI driver gets no driver-level role on purpose: training
# pods mount volumes with `authenticationSource: pod`, so the driver uses the
# pod's own (training) role via EKS Pod Identity.
resource "aws_eks_addon" "after_compute" {
  for_each = { for k, v in local.addons : k => v if !v.before_compute }

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  tags = var.tags

  depends_on = [aws_eks_node_group.system]
}

resource "aws_eks_pod_identity_association" "training" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = var.training_namespace
  service_account = var.training_service_account
  role_arn        = aws_iam_role.training.arn
  tags            = var.tags

  depends_on = [aws_eks_addon.before_compute]
}
