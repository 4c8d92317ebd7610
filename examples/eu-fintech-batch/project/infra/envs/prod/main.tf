# Fraud Scoring — prod. Written by mlgen 0.1.0 from the
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

  name     = "fraud-scoring-prod"
  purposes = ["artifacts", "data", "logs"]
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
  destroyable                  = false
  enable_fsx                   = false
  fsx_security_group_ids       = []
  fsx_storage_capacity_gb      = 1200
  fsx_subnet_id                = null
  kms_key_arn                  = module.keys.key_arns["data"]
  name                         = "fraud-scoring-prod"
  object_lock                  = { enabled = true, mode = "GOVERNANCE", retention_days = 365 }
  replication                  = { enabled = true }
  tags                         = local.tags
  transition_to_ia_days        = 0
}

module "network" {
  source = "../../modules/network"

  azs                         = local.azs
  flow_log_kms_key_arn        = module.keys.key_arns["logs"]
  flow_log_retention_days     = 2192
  interface_endpoint_az_count = 2
  interface_endpoints         = ["ecr.api", "ecr.dkr", "kms", "logs", "sagemaker.api", "sagemaker.runtime", "sts"]
  isolation                   = "isolated"
  name                        = "fraud-scoring-prod"
  nat_gateways                = "none"
  tags                        = local.tags
}

module "audit" {
  source = "../../modules/audit"

  alert_emails              = ["finops@example.com"]
  data_event_bucket_arns    = [module.storage.data_bucket_arn, module.storage.artifacts_bucket_arn]
  destroyable               = false
  enable_security_alarms    = true
  include_management_events = true
  kms_key_arn               = module.keys.key_arns["logs"]
  name                      = "fraud-scoring-prod"
  retention_days            = 2192
  tags                      = local.tags
}

module "registry" {
  source = "../../modules/registry"

  artifacts_bucket_arn  = module.storage.artifacts_bucket_arn
  artifacts_bucket_name = module.storage.artifacts_bucket_name
  artifacts_kms_key_arn = null
  destroyable           = false
  enable_mlflow         = false
  kms_key_arn           = module.keys.key_arns["artifacts"]
  name                  = "fraud-scoring-prod"
  tags                  = local.tags
}

module "training" {
  source = "../../modules/training_sagemaker"

  artifacts_bucket_arn       = module.storage.artifacts_bucket_arn
  artifacts_bucket_name      = module.storage.artifacts_bucket_name
  create_log_group           = true
  data_bucket_arn            = module.storage.data_bucket_arn
  ecr_repository_arns        = values(module.registry.repository_arns)
  kms_key_arns               = [module.keys.key_arns["data"]]
  log_kms_key_arn            = module.keys.key_arns["logs"]
  log_retention_days         = 2192
  mlflow_tracking_server_arn = null
  name                       = "fraud-scoring-prod"
  subnet_ids                 = module.network.private_subnet_ids
  tags                       = local.tags
  vpc_cidr_block             = module.network.vpc_cidr_block
  vpc_id                     = module.network.vpc_id
}

module "budget" {
  source = "../../modules/budget"

  activate_cost_allocation_tags = ["environment", "project"]
  alert_emails                  = ["finops@example.com"]
  cost_allocation_tag           = { key = "environment", value = "prod" }
  enable_anomaly_detection      = true
  kms_key_arn                   = module.keys.key_arns["logs"]
  monthly_limit_usd             = 3251
  name                          = "fraud-scoring-prod"
  project_total                 = { monthly_limit_usd = 4000, name = "fraud-scoring", tag = { key = "project", value = "fraud-scoring" } }
  tags                          = local.tags
  thresholds_pct                = [50, 80, 100]
}
