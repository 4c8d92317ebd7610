variable "admin_principal_arns" {
  type        = list(string)
  description = "IAM role or user ARNs that get an EKS access entry with AmazonEKSClusterAdminPolicy (cluster scope). The cluster creator gets no implicit admin rights, so pass at least one role to use kubectl."
  default     = []
  nullable    = false

  validation {
    condition = alltrue([
      for arn in var.admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))
    ])
    error_message = "Each admin_principal_arns entry must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name>), not an assumed-role/STS session ARN."
  }
}

variable "api_ingress_cidr_blocks" {
  type        = list(string)
  description = "Private CIDR blocks (VPN, bastion or CI runner subnets inside or peered with the VPC) allowed to reach the private Kubernetes API endpoint on TCP 443. Empty means only the cluster itself and its nodes."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.api_ingress_cidr_blocks : can(cidrhost(c, 0))])
    error_message = "Each api_ingress_cidr_blocks entry must be a valid CIDR block, e.g. 10.0.0.0/16."
  }

  validation {
    condition     = alltrue([for c in var.api_ingress_cidr_blocks : !contains(["0.0.0.0/0", "::/0"], c)])
    error_message = "api_ingress_cidr_blocks must not contain 0.0.0.0/0 or ::/0: list the specific private networks that need API access."
  }
}

variable "artifacts_bucket_arn" {
  type        = string
  description = "ARN of the artifacts bucket; the training pod role gets read/write on its objects."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts_bucket_arn))
    error_message = "artifacts_bucket_arn must be an S3 bucket ARN such as arn:aws:s3:::my-artifacts-bucket."
  }
}

variable "data_bucket_arn" {
  type        = string
  description = "ARN of the training data bucket; the training pod role gets read-only access."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.data_bucket_arn))
    error_message = "data_bucket_arn must be an S3 bucket ARN such as arn:aws:s3:::my-data-bucket."
  }
}

variable "data_kms_key_arns" {
  type        = list(string)
  description = "KMS key ARNs that encrypt the data and artifacts buckets; the training pod role may use them through S3 only."
  nullable    = false

  validation {
    condition     = length(var.data_kms_key_arns) > 0
    error_message = "data_kms_key_arns needs at least one KMS key ARN (the key of the data/artifacts buckets)."
  }

  validation {
    condition = alltrue([
      for arn in var.data_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", arn))
    ])
    error_message = "Each data_kms_key_arns entry must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); alias ARNs do not work in IAM policies."
  }
}

variable "ebs_kms_key_arn" {
  type        = string
  description = "KMS key ARN for node EBS volumes. null uses kms_key_arn. The key policy must let the AWSServiceRoleForAutoScaling service-linked role use it (kms:CreateGrant, kms:GenerateDataKey*, kms:Decrypt, kms:Encrypt, kms:ReEncrypt*, kms:DescribeKey)."
  default     = null

  validation {
    condition     = var.ebs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.ebs_kms_key_arn))
    error_message = "ebs_kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "gpu_node_groups" {
  type = map(object({
    instance_types  = list(string)
    capacity_type   = optional(string, "ON_DEMAND")
    min_size        = optional(number, 0)
    max_size        = optional(number, 2)
    desired_size    = optional(number, 0)
    ami_type        = optional(string, "BOTTLEROCKET_x86_64_NVIDIA")
    disk_size_gb    = optional(number, 200)
    gpus_per_node   = optional(number, 1)
    placement_group = optional(bool, false)
    efa             = optional(bool, false)
  }))
  description = "GPU managed node groups keyed by a short name (e.g. \"a10g\"). Nodes carry the taint nvidia.com/gpu=true:NoSchedule and the labels workload=gpu-training and node-group=<key>. min_size 0 lets the Cluster Autoscaler scale them to zero when idle; gpus_per_node (GPUs of each instance type) tells it what a node would offer while none runs. placement_group = true puts the group in one subnet (one AZ) and a cluster placement group, for multi-node jobs; efa = true gives the nodes an EFA interface (only on instance types that support EFA)."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.gpu_node_groups) : can(regex("^[a-z0-9][a-z0-9-]{0,17}$", k))])
    error_message = "gpu_node_groups keys must be 1-18 characters of lowercase letters, digits and hyphens (they become part of the node group name and a Kubernetes label value)."
  }

  validation {
    condition     = alltrue([for g in values(var.gpu_node_groups) : length(g.instance_types) > 0])
    error_message = "Each GPU node group needs at least one entry in instance_types (e.g. [\"g5.xlarge\"])."
  }

  validation {
    condition     = alltrue([for g in values(var.gpu_node_groups) : contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
    error_message = "capacity_type must be ON_DEMAND or SPOT."
  }

  validation {
    condition = alltrue([
      for g in values(var.gpu_node_groups) : contains(["BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA", "AL2023_x86_64_NVIDIA"], g.ami_type)
    ])
    error_message = "ami_type must be one of BOTTLEROCKET_x86_64_NVIDIA, BOTTLEROCKET_ARM_64_NVIDIA or AL2023_x86_64_NVIDIA."
  }

  validation {
    condition = alltrue([
      for g in values(var.gpu_node_groups) : g.min_size >= 0 && g.max_size >= 1 && g.min_size <= g.desired_size && g.desired_size <= g.max_size
    ])
    error_message = "For each GPU node group: 0 <= min_size <= desired_size <= max_size and max_size >= 1."
  }

  validation {
    condition     = alltrue([for g in values(var.gpu_node_groups) : g.gpus_per_node >= 1 && floor(g.gpus_per_node) == g.gpus_per_node])
    error_message = "gpus_per_node must be a whole number >= 1 (the GPUs of one instance of the group's type)."
  }

  validation {
    condition     = alltrue([for g in values(var.gpu_node_groups) : !g.efa || g.placement_group])
    error_message = "efa = true needs placement_group = true: EFA traffic between nodes needs them in one AZ and placement group."
  }

  validation {
    condition     = alltrue([for g in values(var.gpu_node_groups) : g.disk_size_gb >= 20 && g.disk_size_gb <= 16384])
    error_message = "disk_size_gb must be between 20 and 16384 GiB."
  }
}

variable "image_cache" {
  type = object({
    enabled = optional(bool, false)
    prefix  = optional(string, "eks-cache")
  })
  description = "ECR pull-through cache for the public images the cluster add-ons and the training operator use (registry.k8s.io, public.ecr.aws, quay.io). Enable it when the VPC has no internet egress; the manifests then pull from <account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<upstream>/... (output image_registries). The prefix is per account and region: give each cluster sharing an account its own."
  default     = {}
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", var.image_cache.prefix)) && length(var.image_cache.prefix) >= 2 && length(var.image_cache.prefix) <= 19
    error_message = "image_cache.prefix must be 2-19 lowercase letters, digits and . _ - (ECR allows 30 characters for the whole rule prefix, which adds /<upstream>)."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key ARN used for envelope encryption of Kubernetes secrets (and node EBS volumes unless ebs_kms_key_arn is set)."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes minor version of the control plane and node groups. No default: the generator picks one in EKS standard support (mlgen decide.EKS_KUBERNETES_VERSION)."

  validation {
    # Same list as checkov CKV_AWS_339 (EKSPlatformVersion) in checkov 3.3.
    condition     = contains(["1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35"], var.kubernetes_version)
    error_message = "kubernetes_version must be one of 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35 (versions EKS supports and checkov CKV_AWS_339 accepts)."
  }
}

variable "log_kms_key_arn" {
  type        = string
  description = "KMS key ARN (the logs key) for the control-plane CloudWatch log group. Its key policy must allow logs.<region>.amazonaws.com."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the control-plane log group in days (at least one year)."
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value of at least 365: 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "name" {
  type        = string
  description = "Name prefix for all resources; also the EKS cluster name (e.g. \"fraud-scoring-dev\")."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "node_metadata_hop_limit" {
  type        = number
  description = "IMDSv2 PUT response hop limit on node launch templates. 1 keeps pods (which use EKS Pod Identity) away from the node role credentials; 2 lets containers without host networking reach IMDS."
  default     = 1

  validation {
    condition     = contains([1, 2], var.node_metadata_hop_limit)
    error_message = "node_metadata_hop_limit must be 1 (recommended) or 2."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnet IDs (in at least two AZs) for the control-plane ENIs and all node groups."
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids needs at least two subnets in different availability zones (EKS requirement)."
  }
}

variable "support_type" {
  type        = string
  description = "EKS upgrade policy. STANDARD auto-upgrades the control plane when standard support ends (no extended-support charge); EXTENDED keeps the version at extra hourly cost."
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "EXTENDED"], var.support_type)
    error_message = "support_type must be STANDARD or EXTENDED."
  }
}

variable "system_node_group" {
  type = object({
    instance_type = optional(string, "m6i.large")
    min_size      = optional(number, 1)
    max_size      = optional(number, 2)
    disk_size_gb  = optional(number, 50)
  })
  description = "Small on-demand AL2023 node group (label role=system) for CoreDNS and cluster add-ons."
  default     = {}
  nullable    = false

  validation {
    condition     = var.system_node_group.min_size >= 1 && var.system_node_group.max_size >= var.system_node_group.min_size
    error_message = "system_node_group needs min_size >= 1 (CoreDNS must run somewhere) and max_size >= min_size."
  }

  validation {
    condition     = var.system_node_group.disk_size_gb >= 20 && var.system_node_group.disk_size_gb <= 16384
    error_message = "system_node_group.disk_size_gb must be between 20 and 16384 GiB."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every taggable resource."
  default     = {}
  nullable    = false
}

variable "training_deployer_role_names" {
  type        = list(string)
  description = "Names of IAM roles in this account (e.g. the CI apply role) that may run training jobs but not administer the cluster: their access entry only puts them in the Kubernetes group <training_namespace>-deployers, which k8s/rbac.yaml binds to a Role in the training namespace. The roles must exist before this module is applied."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for n in var.training_deployer_role_names : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", n))])
    error_message = "Each training_deployer_role_names entry must be an IAM role name (not an ARN), 1-64 characters."
  }
}

variable "training_namespace" {
  type        = string
  description = "Kubernetes namespace of the training service account bound to the training role."
  default     = "training"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.training_namespace))
    error_message = "training_namespace must be a valid Kubernetes namespace name (lowercase DNS label)."
  }
}

variable "training_service_account" {
  type        = string
  description = "Kubernetes service account name bound to the training role through EKS Pod Identity."
  default     = "trainer"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$", var.training_service_account))
    error_message = "training_service_account must be a valid Kubernetes service account name (lowercase DNS subdomain)."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC ID of the subnets; the module creates an extra cluster security group in it."

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}
