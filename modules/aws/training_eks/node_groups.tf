locals {
  ebs_kms_key_arn = coalesce(var.ebs_kms_key_arn, var.kms_key_arn)

  gpu_taint = { key = "nvidia.com/gpu", value = "true", effect = "NO_SCHEDULE" }

  gpu_labels = {
    for k, g in var.gpu_node_groups : k => {
      workload     = "gpu-training"
      "node-group" = k
    }
  }

  # Cluster Autoscaler auto-discovery plus node-template hints so it can scale a
  # group up from zero nodes without having seen one (labels and taints).
  gpu_autoscaler_tags = {
    for k, g in var.gpu_node_groups : k => {
      "k8s.io/cluster-autoscaler/enabled"                                            = "true"
      "k8s.io/cluster-autoscaler/${local.cluster_name}"                              = "owned"
      "k8s.io/cluster-autoscaler/node-template/label/workload"                       = "gpu-training"
      "k8s.io/cluster-autoscaler/node-template/label/node-group"                     = k
      "k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType" = g.capacity_type
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"                 = "true:NoSchedule"
      # Without this hint the autoscaler cannot know, at zero nodes, that a node of this group
      # would offer nvidia.com/gpu, and pods requesting GPUs stay Pending.
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu" = tostring(g.gpus_per_node)
    }
  }

  # Multi-node groups (placement_group = true) live in one subnet (one AZ) inside a cluster
  # placement group: collective traffic between nodes stays on one low-latency network spine.
  gpu_subnet_ids = {
    for k, g in var.gpu_node_groups : k => g.placement_group ? [var.subnet_ids[0]] : var.subnet_ids
  }

  # EKS does not copy node group tags to the Auto Scaling group; the autoscaler
  # reads node-template hints from the ASG, so they are added there too.
  gpu_asg_tags = merge([
    for k, tags in local.gpu_autoscaler_tags : {
      for tk, tv in tags : "${k}|${tk}" => { group = k, key = tk, value = tv }
    }
  ]...)

  # One launch template per node group. Bottlerocket has a small OS volume
  # (/dev/xvda, size from the AMI snapshot) and a data volume (/dev/xvdb) that
  # holds container images; AL2023 uses a single root volume (/dev/xvda).
  node_launch_templates = merge(
    {
      system = {
        ami_type        = "AL2023_x86_64_STANDARD"
        disk_size_gb    = var.system_node_group.disk_size_gb
        placement_group = null
        efa             = false
      }
    },
    {
      for k, g in var.gpu_node_groups : "gpu-${k}" => {
        ami_type        = g.ami_type
        disk_size_gb    = g.disk_size_gb
        placement_group = g.placement_group ? k : null
        efa             = g.efa
      }
    },
  )

  node_block_devices = {
    for k, lt in local.node_launch_templates : k => (
      startswith(lt.ami_type, "BOTTLEROCKET") ?
      [{ device_name = "/dev/xvda", size = null }, { device_name = "/dev/xvdb", size = lt.disk_size_gb }] :
      [{ device_name = "/dev/xvda", size = lt.disk_size_gb }]
    )
  }
}

resource "aws_placement_group" "gpu" {
  for_each = { for k, g in var.gpu_node_groups : k => g if g.placement_group }

  name     = "${var.name}-gpu-${each.key}"
  strategy = "cluster"
  tags     = var.tags
}

resource "aws_launch_template" "node" {
  for_each = local.node_launch_templates

  name                   = "${var.name}-${each.key}"
  description            = "EKS ${each.key} nodes of ${var.name}: IMDSv2 only, KMS-encrypted EBS"
  update_default_version = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = var.node_metadata_hop_limit
    instance_metadata_tags      = "disabled"
  }

  dynamic "block_device_mappings" {
    for_each = local.node_block_devices[each.key]
    content {
      device_name = block_device_mappings.value.device_name
      ebs {
        volume_size           = block_device_mappings.value.size
        volume_type           = "gp3"
        encrypted             = true
        kms_key_id            = local.ebs_kms_key_arn
        delete_on_termination = true
      }
    }
  }

  dynamic "placement" {
    for_each = each.value.placement_group == null ? [] : [each.value.placement_group]
    content {
      group_name = aws_placement_group.gpu[placement.value].name
    }
  }

  # EFA (Elastic Fabric Adapter) for NCCL between nodes, on instance types that support it.
  # A launch template that defines interfaces must name their security groups: the cluster
  # security group, which allows all traffic between nodes (EFA needs that self-reference).
  dynamic "network_interfaces" {
    for_each = each.value.efa ? [1] : []
    content {
      device_index          = 0
      interface_type        = "efa"
      delete_on_termination = true
      security_groups       = [aws_eks_cluster.this.vpc_config[0].cluster_security_group_id]
    }
  }

  dynamic "tag_specifications" {
    for_each = toset(["instance", "volume", "network-interface"])
    content {
      resource_type = tag_specifications.value
      tags          = merge(var.tags, { Name = "${var.name}-${each.key}" })
    }
  }

  tags = var.tags
}

resource "aws_eks_node_group" "system" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.name}-system"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  version         = aws_eks_cluster.this.version

  ami_type       = "AL2023_x86_64_STANDARD"
  capacity_type  = "ON_DEMAND"
  instance_types = [var.system_node_group.instance_type]

  labels = { role = "system" }

  launch_template {
    id      = aws_launch_template.node["system"].id
    version = aws_launch_template.node["system"].latest_version
  }

  scaling_config {
    min_size     = var.system_node_group.min_size
    max_size     = var.system_node_group.max_size
    desired_size = var.system_node_group.min_size
  }

  update_config {
    max_unavailable = 1
  }

  tags = merge(var.tags, { Name = "${var.name}-system" })

  lifecycle {
    ignore_changes = [scaling_config[0].desired_size]
  }

  # Nodes only become Ready once the VPC CNI (with its Pod Identity role) runs.
  depends_on = [
    aws_iam_role_policy_attachment.node,
    aws_iam_role_policy_attachment.vpc_cni,
    aws_eks_addon.before_compute,
  ]
}

resource "aws_eks_node_group" "gpu" {
  for_each = var.gpu_node_groups

  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.name}-gpu-${each.key}"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = local.gpu_subnet_ids[each.key]
  version         = aws_eks_cluster.this.version

  ami_type       = each.value.ami_type
  capacity_type  = each.value.capacity_type
  instance_types = each.value.instance_types

  labels = local.gpu_labels[each.key]

  taint {
    key    = local.gpu_taint.key
    value  = local.gpu_taint.value
    effect = local.gpu_taint.effect
  }

  launch_template {
    id      = aws_launch_template.node["gpu-${each.key}"].id
    version = aws_launch_template.node["gpu-${each.key}"].latest_version
  }

  scaling_config {
    min_size     = each.value.min_size
    max_size     = each.value.max_size
    desired_size = each.value.desired_size
  }

  update_config {
    max_unavailable = 1
  }

  tags = merge(var.tags, local.gpu_autoscaler_tags[each.key], { Name = "${var.name}-gpu-${each.key}" })

  lifecycle {
    # The cluster autoscaler owns desired_size after creation.
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [
    aws_iam_role_policy_attachment.node,
    aws_iam_role_policy_attachment.vpc_cni,
    aws_eks_addon.before_compute,
  ]
}

resource "aws_autoscaling_group_tag" "gpu" {
  for_each = local.gpu_asg_tags

  autoscaling_group_name = aws_eks_node_group.gpu[each.value.group].resources[0].autoscaling_groups[0].name

  tag {
    key                 = each.value.key
    value               = each.value.value
    propagate_at_launch = false
  }
}
