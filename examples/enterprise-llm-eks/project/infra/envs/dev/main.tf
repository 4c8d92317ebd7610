# Support Copilot — dev. Written by mlgen 0.1.0 from the
# decisions in docs/decisions/; change answers with `mlgen update`, not by editing module inputs here.
locals {
  tags = {
    project             = var.project
    environment         = var.environment
    cost-center         = var.cost_center
    data-classification = var.data_classification
    owner               = var.owner
    managed-by          = "mlgen"
  }
}

module "keys" {
  source = "../../modules/keys"

  name     = "support-copilot-dev"
  purposes = ["artifacts", "data", "eks", "endpoints", "logs"]
  tags     = local.tags
}

module "storage" {
  source = "../../modules/storage"

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  checkpoint_noncurrent_days   = 7
  create_kms_key               = false
  data_capture_expiration_days = 90
  destroyable                  = true
  enable_fsx                   = false
  fsx_security_group_ids       = []
  fsx_storage_capacity_gb      = 2400
  fsx_subnet_id                = null
  kms_key_arn                  = module.keys.key_arns["data"]
  name                         = "support-copilot-dev"
  object_lock                  = { enabled = false, mode = "GOVERNANCE", retention_days = 365 }
  replication                  = { enabled = false }
  tags                         = local.tags
  transition_to_ia_days        = 0
}

module "network" {
  source = "../../modules/network"

  azs                         = local.azs
  flow_log_kms_key_arn        = module.keys.key_arns["logs"]
  flow_log_retention_days     = 400
  interface_endpoint_az_count = 1
  interface_endpoints         = ["autoscaling", "ec2", "ecr.api", "ecr.dkr", "eks", "eks-auth", "kms", "logs", "sagemaker.api", "sagemaker.runtime", "sagemaker.studio", "ssm", "ssmmessages", "sts"]
  isolation                   = "private"
  name                        = "support-copilot-dev"
  nat_gateways                = "single"
  tags                        = local.tags
}

module "audit" {
  source = "../../modules/audit"

  alert_emails              = ["finops@example.com"]
  data_event_bucket_arns    = [module.storage.data_bucket_arn, module.storage.artifacts_bucket_arn]
  destroyable               = true
  enable_security_alarms    = false
  include_management_events = false
  kms_key_arn               = module.keys.key_arns["logs"]
  name                      = "support-copilot-dev"
  retention_days            = 400
  tags                      = local.tags
}

module "registry" {
  source = "../../modules/registry"

  artifacts_bucket_arn  = module.storage.artifacts_bucket_arn
  artifacts_bucket_name = module.storage.artifacts_bucket_name
  artifacts_kms_key_arn = null
  destroyable           = true
  enable_mlflow         = false
  kms_key_arn           = module.keys.key_arns["artifacts"]
  name                  = "support-copilot-dev"
  tags                  = local.tags
}

module "training" {
  source = "../../modules/training_eks"

  artifacts_bucket_arn         = module.storage.artifacts_bucket_arn
  data_bucket_arn              = module.storage.data_bucket_arn
  data_kms_key_arns            = [module.keys.key_arns["data"]]
  gpu_node_groups              = { gpu = { capacity_type = "SPOT", desired_size = 0, efa = false, gpus_per_node = 8, instance_types = ["p4d.24xlarge"], max_size = 1, min_size = 0, placement_group = false } }
  image_cache                  = { enabled = false, prefix = "support-copilot-dev" }
  kms_key_arn                  = module.keys.key_arns["eks"]
  kubernetes_version           = "1.35"
  log_kms_key_arn              = module.keys.key_arns["logs"]
  log_retention_days           = 400
  name                         = "support-copilot-dev"
  subnet_ids                   = module.network.private_subnet_ids
  system_node_group            = { instance_type = "m6i.large", max_size = 2, min_size = 1 }
  tags                         = local.tags
  training_deployer_role_names = ["support-copilot-ci-github-apply"]
  vpc_id                       = module.network.vpc_id
}

module "endpoint" {
  source = "../../modules/endpoint"

  alarm_emails           = ["finops@example.com"]
  artifacts_bucket_arn   = module.storage.artifacts_bucket_arn
  artifacts_bucket_name  = module.storage.artifacts_bucket_name
  artifacts_kms_key_arn  = module.keys.key_arns["data"]
  autoscaling            = { max = 1, min = 1, target_invocations_per_instance = 2100 }
  data_capture_percent   = 10
  ecr_repository_arns    = [module.registry.repository_arns["serving"]]
  enable_data_capture    = false
  initial_instance_count = 1
  instance_type          = "ml.g5.2xlarge"
  kms_key_arn            = module.keys.key_arns["endpoints"]
  latency_alarm_ms       = 800
  log_kms_key_arn        = module.keys.key_arns["logs"]
  log_retention_days     = 400
  mode                   = "async"
  model_data_url         = var.model_data_url
  model_image            = var.model_image
  name                   = "support-copilot-dev"
  sns_kms_key_arn        = module.keys.key_arns["logs"]
  tags                   = local.tags
}

module "workspace" {
  source = "../../modules/workspace"

  artifacts_bucket_arn         = module.storage.artifacts_bucket_arn
  data_bucket_arn              = module.storage.data_bucket_arn
  destroyable                  = true
  https_egress_prefix_list_ids = [module.network.s3_prefix_list_id]
  idle_timeout_minutes         = 60
  kms_key_arn                  = module.keys.key_arns["data"]
  name                         = "support-copilot-dev"
  subnet_ids                   = module.network.private_subnet_ids
  tags                         = local.tags
  vpc_cidr_block               = module.network.vpc_cidr_block
  vpc_id                       = module.network.vpc_id
  vpc_only                     = true
}

module "budget" {
  source = "../../modules/budget"

  activate_cost_allocation_tags = []
  alert_emails                  = ["finops@example.com"]
  cost_allocation_tag           = { key = "environment", value = "dev" }
  enable_anomaly_detection      = false
  kms_key_arn                   = module.keys.key_arns["logs"]
  monthly_limit_usd             = 3010
  name                          = "support-copilot-dev"
  project_total                 = null
  tags                          = local.tags
  thresholds_pct                = [50, 80, 100]
}
