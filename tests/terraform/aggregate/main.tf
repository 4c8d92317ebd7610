# Aggregate root: every module in modules/aws/ called together, wired the way generated roots wire
# them (EKS and SageMaker training side by side, an online endpoint, Studio, state and CI identity).
# Validating this one root validates the whole library in ~3 s; tests/ plans it with a mocked provider.
terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "dr"
  region = var.dr_region

  default_tags {
    tags = local.tags
  }
}

variable "dr_region" {
  type        = string
  description = "Disaster-recovery region."
}

variable "model_data_url" {
  type        = string
  description = "Model artefact; null until a model exists."
  default     = null
}

variable "model_image" {
  type        = string
  description = "Serving image; null until a model exists (the endpoint is gated on it)."
  default     = null
}

variable "region" {
  type        = string
  description = "Primary region."
}

locals {
  tags = {
    project             = "mlgen-agg"
    environment         = "aggregate"
    cost-center         = "CC-0000"
    data-classification = "confidential"
    owner               = "ml-platform@example.com"
    managed-by          = "mlgen"
  }
}

module "keys" {
  source = "../../../modules/aws/keys"

  name     = "mlgen-agg"
  purposes = ["artifacts", "data", "eks", "endpoints", "logs"]
  tags     = local.tags
}

module "storage" {
  source = "../../../modules/aws/storage"

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  create_kms_key          = false
  enable_fsx              = true
  fsx_security_group_ids  = []
  fsx_storage_capacity_gb = 2400
  fsx_subnet_id           = module.network.private_subnet_ids[0]
  kms_key_arn             = module.keys.key_arns["data"]
  name                    = "mlgen-agg"
  object_lock             = { enabled = true, mode = "GOVERNANCE", retention_days = 365 }
  replication             = { enabled = true }
  tags                    = local.tags
  transition_to_ia_days   = 60
}

module "network" {
  source = "../../../modules/aws/network"

  azs                     = ["us-west-2a", "us-west-2b"]
  flow_log_kms_key_arn    = module.keys.key_arns["logs"]
  flow_log_retention_days = 400
  interface_endpoints     = ["autoscaling", "ec2", "ecr.api", "ecr.dkr", "eks", "eks-auth", "kms", "logs", "sagemaker.api", "sagemaker.runtime", "sagemaker.studio", "ssm", "ssmmessages", "sts"]
  isolation               = "private"
  name                    = "mlgen-agg"
  nat_gateways            = "per_az"
  tags                    = local.tags
}

module "audit" {
  source = "../../../modules/aws/audit"

  alert_emails           = ["finops@example.com"]
  data_event_bucket_arns = [module.storage.data_bucket_arn, module.storage.artifacts_bucket_arn]
  kms_key_arn            = module.keys.key_arns["logs"]
  name                   = "mlgen-agg"
  retention_days         = 400
  tags                   = local.tags
}

module "registry" {
  source = "../../../modules/aws/registry"

  artifacts_bucket_arn  = module.storage.artifacts_bucket_arn
  artifacts_bucket_name = module.storage.artifacts_bucket_name
  enable_mlflow         = false
  kms_key_arn           = module.keys.key_arns["artifacts"]
  name                  = "mlgen-agg"
  tags                  = local.tags
}

module "training" {
  source = "../../../modules/aws/training_eks"

  artifacts_bucket_arn         = module.storage.artifacts_bucket_arn
  data_bucket_arn              = module.storage.data_bucket_arn
  data_kms_key_arns            = [module.keys.key_arns["data"], module.keys.key_arns["artifacts"]]
  gpu_node_groups              = { gpu = { capacity_type = "SPOT", desired_size = 0, efa = true, gpus_per_node = 8, instance_types = ["p4d.24xlarge"], max_size = 2, min_size = 0, placement_group = true } }
  image_cache                  = { enabled = true, prefix = "mlgen-agg" }
  kms_key_arn                  = module.keys.key_arns["eks"]
  kubernetes_version           = "1.35"
  log_kms_key_arn              = module.keys.key_arns["logs"]
  log_retention_days           = 400
  name                         = "mlgen-agg"
  subnet_ids                   = module.network.private_subnet_ids
  tags                         = local.tags
  training_deployer_role_names = ["mlgen-agg-ci-github-apply"]
  vpc_id                       = module.network.vpc_id
}

module "endpoint" {
  source = "../../../modules/aws/endpoint"

  alarm_emails           = ["finops@example.com"]
  artifacts_bucket_arn   = module.storage.artifacts_bucket_arn
  artifacts_bucket_name  = module.storage.artifacts_bucket_name
  autoscaling            = { max = 2, min = 2, target_invocations_per_instance = 2100 }
  enable_data_capture    = true
  initial_instance_count = 2
  instance_type          = "ml.g5.xlarge"
  kms_key_arn            = module.keys.key_arns["endpoints"]
  latency_alarm_ms       = 800
  mode                   = "online"
  model_data_url         = var.model_data_url
  model_image            = var.model_image
  log_kms_key_arn        = module.keys.key_arns["logs"]
  log_retention_days     = 400
  name                   = "mlgen-agg"
  security_group_ids     = [module.training_sagemaker.security_group_id]
  sns_kms_key_arn        = module.keys.key_arns["logs"]
  subnet_ids             = module.network.private_subnet_ids
  tags                   = local.tags
}

module "budget" {
  source = "../../../modules/aws/budget"

  alert_emails        = ["finops@example.com"]
  cost_allocation_tag = { key = "project", value = "support-copilot" }
  kms_key_arn         = module.keys.key_arns["logs"]
  monthly_limit_usd   = 107723
  name                = "mlgen-agg"
  tags                = local.tags
  thresholds_pct      = [50, 80, 100]
}

module "training_sagemaker" {
  source = "../../../modules/aws/training_sagemaker"

  artifacts_bucket_arn  = module.storage.artifacts_bucket_arn
  artifacts_bucket_name = module.storage.artifacts_bucket_name
  data_bucket_arn       = module.storage.data_bucket_arn
  ecr_repository_arns   = values(module.registry.repository_arns)
  kms_key_arns          = [module.keys.key_arns["data"], module.keys.key_arns["artifacts"]]
  log_kms_key_arn       = module.keys.key_arns["logs"]
  log_retention_days    = 400
  name                  = "mlgen-agg-sm"
  subnet_ids            = module.network.private_subnet_ids
  tags                  = local.tags
  vpc_cidr_block        = module.network.vpc_cidr_block
  vpc_id                = module.network.vpc_id
}

module "workspace" {
  source = "../../../modules/aws/workspace"

  artifacts_bucket_arn         = module.storage.artifacts_bucket_arn
  data_bucket_arn              = module.storage.data_bucket_arn
  https_egress_prefix_list_ids = [module.network.s3_prefix_list_id]
  idle_timeout_minutes         = 60
  kms_key_arn                  = module.keys.key_arns["data"]
  name                         = "mlgen-agg"
  subnet_ids                   = module.network.private_subnet_ids
  tags                         = local.tags
  vpc_cidr_block               = module.network.vpc_cidr_block
  vpc_id                       = module.network.vpc_id
  vpc_only                     = true
}

module "state" {
  source = "../../../modules/aws/state_backend"

  name = "mlgen-agg-tfstate"
  tags = local.tags
}

module "ci" {
  source = "../../../modules/aws/ci_identity"

  github_repository = "example-corp/mlgen-agg"
  name              = "mlgen-agg-ci"
  state_bucket_arn  = module.state.bucket_arn
  state_kms_key_arn = module.state.kms_key_arn
  tags              = local.tags
}
