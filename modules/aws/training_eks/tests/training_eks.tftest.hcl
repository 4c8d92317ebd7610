mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1", id = "eu-west-1" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock-role" }
  }
  mock_resource "aws_eks_cluster" {
    defaults = { arn = "arn:aws:eks:eu-west-1:123456789012:cluster/fraud-scoring-dev" }
  }
}

variables {
  name                 = "fraud-scoring-dev"
  kubernetes_version   = "1.35"
  vpc_id               = "vpc-0123456789abcdef0"
  subnet_ids           = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
  kms_key_arn          = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000001"
  log_kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000002"
  data_bucket_arn      = "arn:aws:s3:::fraud-scoring-dev-data"
  artifacts_bucket_arn = "arn:aws:s3:::fraud-scoring-dev-artifacts"
  data_kms_key_arns    = ["arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000003"]
  admin_principal_arns = [
    "arn:aws:iam::123456789012:role/platform-admin",
    "arn:aws:iam::123456789012:role/ml-lead",
  ]
  gpu_node_groups = {
    a10g = { instance_types = ["g5.xlarge", "g5.2xlarge"], capacity_type = "SPOT", max_size = 4 }
    l4   = { instance_types = ["g6.12xlarge"], ami_type = "AL2023_x86_64_NVIDIA", disk_size_gb = 300, gpus_per_node = 4 }
  }
}

run "cluster_security" {
  command = plan

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_public_access == false && aws_eks_cluster.this.vpc_config[0].endpoint_private_access == true
    error_message = "The Kubernetes API endpoint must be private only."
  }

  assert {
    condition     = aws_eks_cluster.this.encryption_config[0].provider[0].key_arn == var.kms_key_arn && contains(aws_eks_cluster.this.encryption_config[0].resources, "secrets")
    error_message = "Kubernetes secrets must be envelope-encrypted with kms_key_arn."
  }

  assert {
    condition     = aws_eks_cluster.this.enabled_cluster_log_types == toset(["api", "audit", "authenticator", "controllerManager", "scheduler"])
    error_message = "All five control-plane log types must be enabled."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/eks/fraud-scoring-dev/cluster" && aws_cloudwatch_log_group.this.kms_key_id == var.log_kms_key_arn && aws_cloudwatch_log_group.this.retention_in_days >= 365
    error_message = "The control-plane log group must be pre-created with the EKS name, KMS and >= 365 days retention."
  }

  assert {
    condition     = aws_eks_cluster.this.access_config[0].authentication_mode == "API" && aws_eks_cluster.this.access_config[0].bootstrap_cluster_creator_admin_permissions == false
    error_message = "Cluster access must use access entries only (API mode) with no implicit creator admin."
  }

  assert {
    condition     = aws_eks_cluster.this.version == "1.35" && aws_eks_cluster.this.upgrade_policy[0].support_type == "STANDARD"
    error_message = "The Kubernetes version must follow the input, on standard support."
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.api) == 0
    error_message = "No API ingress rules may exist unless api_ingress_cidr_blocks is set."
  }
}

run "access_entries" {
  command = plan

  variables {
    training_deployer_role_names = ["fraud-scoring-ci-github-apply"]
  }

  assert {
    condition     = length(aws_eks_access_entry.admin) == 3 && length(aws_eks_access_policy_association.admin) == 3
    error_message = "The deployer role and each admin principal need one access entry and one policy association."
  }

  assert {
    condition     = aws_iam_role.deployer.name == "fraud-scoring-dev-eks-deployer" && jsondecode(aws_iam_role.deployer.assume_role_policy).Statement[0].Principal.AWS == "arn:aws:iam::123456789012:root"
    error_message = "The module must create a deployer role assumable from this account (IAM decides who)."
  }

  assert {
    condition = (
      aws_eks_access_entry.training_deployer["fraud-scoring-ci-github-apply"].principal_arn == "arn:aws:iam::123456789012:role/fraud-scoring-ci-github-apply" &&
      aws_eks_access_entry.training_deployer["fraud-scoring-ci-github-apply"].kubernetes_groups == toset(["training-deployers"])
    )
    error_message = "A training deployer role (CI) gets an access entry in the training-deployers group only."
  }

  assert {
    condition     = aws_iam_role_policy.training_deployer_tunnel["fraud-scoring-ci-github-apply"].role == "fraud-scoring-ci-github-apply" && aws_iam_role_policy.training_deployer_tunnel["fraud-scoring-ci-github-apply"].policy == aws_iam_role_policy.deployer.policy
    error_message = "A training deployer role (CI) must reach the private API through the same SSM tunnel as the deployer."
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s if s.Sid == "PortForwardThroughSystemNodes"]).Condition.StringEquals["aws:ResourceTag/eks:nodegroup-name"] == "fraud-scoring-dev-system"
    error_message = "The deployer may open SSM sessions only on the system nodes (the tunnel to the private API)."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.system_node_ssm.policy_arn == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    error_message = "Nodes need the SSM core policy so the API tunnel has a hop."
  }

  assert {
    condition = alltrue([
      for a in aws_eks_access_policy_association.admin :
      a.policy_arn == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" && a.access_scope[0].type == "cluster"
    ])
    error_message = "Admins must get AmazonEKSClusterAdminPolicy with cluster scope."
  }
}

run "gpu_node_groups" {
  command = plan

  assert {
    condition     = length(aws_eks_node_group.gpu) == 2
    error_message = "One managed node group per gpu_node_groups entry."
  }

  assert {
    condition     = alltrue([for ng in aws_eks_node_group.gpu : ng.scaling_config[0].min_size == 0 && ng.scaling_config[0].desired_size == 0])
    error_message = "GPU node groups must scale from zero by default."
  }

  assert {
    condition = alltrue([
      for ng in aws_eks_node_group.gpu :
      length(ng.taint) == 1 && one(ng.taint).key == "nvidia.com/gpu" && one(ng.taint).value == "true" && one(ng.taint).effect == "NO_SCHEDULE"
    ])
    error_message = "GPU nodes must carry the nvidia.com/gpu=true:NoSchedule taint."
  }

  assert {
    condition     = aws_eks_node_group.gpu["a10g"].ami_type == "BOTTLEROCKET_x86_64_NVIDIA" && aws_eks_node_group.gpu["l4"].ami_type == "AL2023_x86_64_NVIDIA"
    error_message = "ami_type must default to BOTTLEROCKET_x86_64_NVIDIA and follow the input."
  }

  assert {
    condition     = aws_eks_node_group.gpu["a10g"].capacity_type == "SPOT" && aws_eks_node_group.gpu["l4"].capacity_type == "ON_DEMAND"
    error_message = "capacity_type must be SPOT when requested and ON_DEMAND by default."
  }

  assert {
    condition     = aws_eks_node_group.gpu["a10g"].labels == tomap({ workload = "gpu-training", "node-group" = "a10g" })
    error_message = "GPU nodes must be labelled workload=gpu-training and node-group=<key>."
  }

  assert {
    condition = (
      aws_eks_node_group.gpu["a10g"].tags["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"] == "true:NoSchedule" &&
      aws_eks_node_group.gpu["a10g"].tags["k8s.io/cluster-autoscaler/node-template/label/workload"] == "gpu-training" &&
      aws_eks_node_group.gpu["a10g"].tags["k8s.io/cluster-autoscaler/fraud-scoring-dev"] == "owned"
    )
    error_message = "GPU node groups need the cluster-autoscaler discovery and node-template tags."
  }

  assert {
    condition     = length(aws_autoscaling_group_tag.gpu) == 14
    error_message = "The seven autoscaler tags must be copied to the ASG of each GPU node group."
  }

  assert {
    condition     = aws_eks_node_group.gpu["a10g"].tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"] == "1" && aws_eks_node_group.gpu["l4"].tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"] == "4"
    error_message = "GPU node groups must tell the autoscaler how many GPUs a node offers, or scale-from-zero never happens."
  }

  assert {
    condition     = length(aws_placement_group.gpu) == 0 && aws_eks_node_group.gpu["a10g"].subnet_ids == toset(var.subnet_ids)
    error_message = "Single-node groups span all subnets and need no placement group."
  }

  assert {
    condition     = aws_eks_node_group.system.labels["role"] == "system" && aws_eks_node_group.system.ami_type == "AL2023_x86_64_STANDARD" && aws_eks_node_group.system.capacity_type == "ON_DEMAND" && length(aws_eks_node_group.system.taint) == 0
    error_message = "The system node group must be on-demand AL2023 standard, labelled role=system and untainted."
  }
}

run "launch_templates" {
  command = plan

  assert {
    condition     = length(aws_launch_template.node) == 3
    error_message = "One launch template for the system group and one per GPU group."
  }

  assert {
    condition = alltrue([
      for lt in aws_launch_template.node :
      lt.metadata_options[0].http_tokens == "required" && lt.metadata_options[0].http_put_response_hop_limit == 1 && lt.metadata_options[0].http_endpoint == "enabled"
    ])
    error_message = "Launch templates must enforce IMDSv2 with hop limit 1 by default."
  }

  assert {
    condition = alltrue(flatten([
      for lt in aws_launch_template.node : [
        for bd in lt.block_device_mappings : bd.ebs[0].encrypted == "true" && bd.ebs[0].kms_key_id == var.kms_key_arn
      ]
    ]))
    error_message = "Every node EBS volume must be encrypted with the KMS key."
  }

  assert {
    condition     = length(aws_launch_template.node["gpu-a10g"].block_device_mappings) == 2 && aws_launch_template.node["gpu-a10g"].block_device_mappings[1].device_name == "/dev/xvdb" && aws_launch_template.node["gpu-a10g"].block_device_mappings[1].ebs[0].volume_size == 200
    error_message = "Bottlerocket groups must size the /dev/xvdb data volume with disk_size_gb."
  }

  assert {
    condition     = length(aws_launch_template.node["gpu-l4"].block_device_mappings) == 1 && aws_launch_template.node["gpu-l4"].block_device_mappings[0].ebs[0].volume_size == 300
    error_message = "AL2023 groups must size the /dev/xvda root volume with disk_size_gb."
  }
}

run "addons_and_pod_identity" {
  command = plan

  assert {
    condition     = setunion(keys(aws_eks_addon.before_compute), keys(aws_eks_addon.after_compute)) == toset(["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "aws-mountpoint-s3-csi-driver"])
    error_message = "The add-on set must be vpc-cni, coredns, kube-proxy, eks-pod-identity-agent and aws-mountpoint-s3-csi-driver."
  }

  assert {
    condition     = alltrue([for a in concat(values(aws_eks_addon.before_compute), values(aws_eks_addon.after_compute)) : a.resolve_conflicts_on_update == "OVERWRITE"])
    error_message = "Add-ons must use resolve_conflicts_on_update = OVERWRITE."
  }

  assert {
    condition     = one(aws_eks_addon.before_compute["vpc-cni"].pod_identity_association).service_account == "aws-node"
    error_message = "The VPC CNI must get its IAM role through EKS Pod Identity."
  }

  assert {
    condition     = !contains([for a in aws_iam_role_policy_attachment.node : a.policy_arn], "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy") && aws_iam_role_policy_attachment.vpc_cni.policy_arn == "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
    error_message = "AmazonEKS_CNI_Policy must be on the VPC CNI role, not on the node role."
  }

  assert {
    condition     = aws_eks_pod_identity_association.training.namespace == "training" && aws_eks_pod_identity_association.training.service_account == "trainer"
    error_message = "The training role must be bound to training/trainer."
  }

  assert {
    condition     = output.training_service_account == { namespace = "training", name = "trainer" }
    error_message = "training_service_account output must be {namespace, name}."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role.training.assume_role_policy).Statement[0].Principal.Service == "pods.eks.amazonaws.com" &&
      toset(jsondecode(aws_iam_role.training.assume_role_policy).Statement[0].Action) == toset(["sts:AssumeRole", "sts:TagSession"]) &&
      jsondecode(aws_iam_role.training.assume_role_policy).Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"] == "trainer" &&
      jsondecode(aws_iam_role.training.assume_role_policy).Statement[0].Condition.StringEquals["aws:RequestTag/eks-cluster-name"] == "fraud-scoring-dev"
    )
    error_message = "The training role must trust only EKS Pod Identity for this cluster's training/trainer service account."
  }
}

run "training_role_permissions" {
  command = plan

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.training.policy).Statement :
      !contains(s.Resource, "${var.data_bucket_arn}/*") || length(setsubtract(s.Action, ["s3:GetObject", "s3:GetObjectVersion"])) == 0
    ])
    error_message = "The data bucket must be read-only for training pods."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.training.policy).Statement :
      contains(s.Resource, "${var.artifacts_bucket_arn}/*") && contains(s.Action, "s3:PutObject")
    ])
    error_message = "Training pods must be able to write artifacts."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.training.policy).Statement : [
        for a in s.Action : !strcontains(a, "*")
      ]
    ]))
    error_message = "The training policy must not use wildcard actions."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.training.policy).Statement :
      toset(s.Resource) == toset(var.data_kms_key_arns) && contains(s.Action, "kms:Decrypt")
    ])
    error_message = "Training pods must be able to decrypt with data_kms_key_arns only."
  }
}

run "minimal_no_admins_no_gpu" {
  command = plan

  variables {
    admin_principal_arns    = []
    gpu_node_groups         = {}
    api_ingress_cidr_blocks = ["10.40.0.0/16"]
  }

  assert {
    condition     = length(aws_eks_access_entry.admin) == 1 && length(aws_eks_node_group.gpu) == 0 && length(aws_autoscaling_group_tag.gpu) == 0 && length(aws_launch_template.node) == 1
    error_message = "Without admins and GPU groups only the deployer entry, the system node group and its launch template remain."
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.api) == 1 && aws_vpc_security_group_ingress_rule.api["10.40.0.0/16"].from_port == 443 && aws_vpc_security_group_ingress_rule.api["10.40.0.0/16"].cidr_ipv4 == "10.40.0.0/16"
    error_message = "api_ingress_cidr_blocks must open TCP 443 from the given private CIDR only."
  }
}

run "hop_limit_and_ebs_key_override" {
  command = plan

  variables {
    node_metadata_hop_limit = 2
    ebs_kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000009"
  }

  assert {
    condition     = aws_launch_template.node["system"].metadata_options[0].http_put_response_hop_limit == 2 && aws_launch_template.node["system"].block_device_mappings[0].ebs[0].kms_key_id == var.ebs_kms_key_arn
    error_message = "node_metadata_hop_limit and ebs_kms_key_arn must reach the launch templates."
  }
}

run "cluster_autoscaler_role" {
  command = plan

  assert {
    condition = (
      aws_eks_pod_identity_association.cluster_autoscaler.namespace == "kube-system" &&
      aws_eks_pod_identity_association.cluster_autoscaler.service_account == "cluster-autoscaler" &&
      jsondecode(aws_iam_role.cluster_autoscaler.assume_role_policy).Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"] == "cluster-autoscaler"
    )
    error_message = "The Cluster Autoscaler needs its own Pod Identity role bound to kube-system/cluster-autoscaler."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.cluster_autoscaler.policy).Statement : s if contains(s.Action, "autoscaling:SetDesiredCapacity")
    ]).Condition.StringEquals["aws:ResourceTag/k8s.io/cluster-autoscaler/fraud-scoring-dev"] == "owned"
    error_message = "The autoscaler may resize only Auto Scaling groups tagged as owned by this cluster."
  }
}

run "multi_node_group_one_az_placement_group_efa" {
  command = plan

  variables {
    gpu_node_groups = {
      a100 = { instance_types = ["p4d.24xlarge"], max_size = 2, gpus_per_node = 8, placement_group = true, efa = true }
    }
  }

  assert {
    condition     = aws_eks_node_group.gpu["a100"].subnet_ids == toset(["subnet-0aaaaaaaaaaaaaaaa"])
    error_message = "A multi-node GPU group must live in one subnet (one AZ)."
  }

  assert {
    condition     = aws_placement_group.gpu["a100"].strategy == "cluster" && aws_launch_template.node["gpu-a100"].placement[0].group_name == aws_placement_group.gpu["a100"].name
    error_message = "A multi-node GPU group must launch into a cluster placement group."
  }

  assert {
    condition     = aws_launch_template.node["gpu-a100"].network_interfaces[0].interface_type == "efa" && length(aws_launch_template.node["system"].network_interfaces) == 0
    error_message = "EFA must be on the multi-node group's launch template only."
  }
}

run "image_cache" {
  command = plan

  variables {
    image_cache = { enabled = true, prefix = "fraud-dev" }
  }

  assert {
    condition     = toset([for r in aws_ecr_pull_through_cache_rule.this : r.upstream_registry_url]) == toset(["registry.k8s.io", "public.ecr.aws", "quay.io"]) && aws_ecr_pull_through_cache_rule.this["registry.k8s.io"].ecr_repository_prefix == "fraud-dev/k8s"
    error_message = "The pull-through cache must cover registry.k8s.io, public.ecr.aws and quay.io under the prefix."
  }

  assert {
    condition     = output.image_registries["registry.k8s.io"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-dev/k8s"
    error_message = "Manifests must be pointed at the cache's registry path."
  }

  assert {
    condition     = toset(jsondecode(aws_iam_role_policy.node_image_cache[0].policy).Statement[0].Action) == toset(["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"])
    error_message = "Nodes need to create and import cache repositories on first pull."
  }
}

run "no_image_cache_by_default" {
  command = plan

  assert {
    condition     = length(aws_ecr_pull_through_cache_rule.this) == 0 && output.image_registries["registry.k8s.io"] == "registry.k8s.io"
    error_message = "Without the cache the manifests pull from the upstream registries."
  }
}

run "rejects_efa_without_placement_group" {
  command = plan

  variables {
    gpu_node_groups = { x = { instance_types = ["p4d.24xlarge"], efa = true } }
  }

  expect_failures = [var.gpu_node_groups]
}

run "rejects_unsupported_kubernetes_version" {
  command = plan

  variables {
    kubernetes_version = "1.27"
  }

  expect_failures = [var.kubernetes_version]
}

run "rejects_short_log_retention" {
  command = plan

  variables {
    log_retention_days = 30
  }

  expect_failures = [var.log_retention_days]
}

run "rejects_public_api_ingress" {
  command = plan

  variables {
    api_ingress_cidr_blocks = ["0.0.0.0/0"]
  }

  expect_failures = [var.api_ingress_cidr_blocks]
}

run "rejects_bad_capacity_type" {
  command = plan

  variables {
    gpu_node_groups = { a10g = { instance_types = ["g5.xlarge"], capacity_type = "PREEMPTIBLE" } }
  }

  expect_failures = [var.gpu_node_groups]
}

run "rejects_min_above_desired" {
  command = plan

  variables {
    gpu_node_groups = { a10g = { instance_types = ["g5.xlarge"], min_size = 2, desired_size = 0 } }
  }

  expect_failures = [var.gpu_node_groups]
}

run "rejects_single_subnet" {
  command = plan

  variables {
    subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa"]
  }

  expect_failures = [var.subnet_ids]
}

run "rejects_assumed_role_admin" {
  command = plan

  variables {
    admin_principal_arns = ["arn:aws:sts::123456789012:assumed-role/admin/session"]
  }

  expect_failures = [var.admin_principal_arns]
}
