# Radiology Triage — staging. Written by mlgen 0.1.0 from the
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

  name     = "radiology-triage-staging"
  purposes = ["artifacts", "data", "endpoints", "logs"]
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
  fsx_storage_capacity_gb      = 4800
  fsx_subnet_id                = null
  kms_key_arn                  = module.keys.key_arns["data"]
  name                         = "radiology-triage-staging"
  object_lock                  = { enabled = false, mode = "GOVERNANCE", retention_days = 365 }
  replication                  = { enabled = true }
  tags                         = local.tags
  transition_to_ia_days        = 0
}

module "network" {
  source = "../../modules/network"

  azs                         = local.azs
  flow_log_kms_key_arn        = module.keys.key_arns["logs"]
  flow_log_retention_days     = 2192
  interface_endpoint_az_count = 1
  interface_endpoints         = ["ecr.api", "ecr.dkr", "kms", "logs", "sagemaker.api", "sagemaker.runtime", "sts"]
  isolation                   = "isolated"
  name                        = "radiology-triage-staging"
  nat_gateways                = "none"
  tags                        = local.tags
}

module "audit" {
  source = "../../modules/audit"

  alert_emails              = ["finance@example.org"]
  data_event_bucket_arns    = [module.storage.data_bucket_arn, module.storage.artifacts_bucket_arn]
  destroyable               = false
  enable_security_alarms    = false
  include_management_events = false
  kms_key_arn               = module.keys.key_arns["logs"]
  name                      = "radiology-triage-staging"
  retention_days            = 2192
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
  name                  = "radiology-triage-staging"
  tags                  = local.tags
}

module "training" {
  source = "../../modules/training_sagemaker"

  artifacts_bucket_arn       = module.storage.artifacts_bucket_arn
  artifacts_bucket_name      = module.storage.artifacts_bucket_name
  create_log_group           = false
  data_bucket_arn            = module.storage.data_bucket_arn
  ecr_repository_arns        = values(module.registry.repository_arns)
  kms_key_arns               = [module.keys.key_arns["data"]]
  log_kms_key_arn            = module.keys.key_arns["logs"]
  log_retention_days         = 2192
  mlflow_tracking_server_arn = null
  name                       = "radiology-triage-staging"
  subnet_ids                 = module.network.private_subnet_ids
  tags                       = local.tags
  vpc_cidr_block             = module.network.vpc_cidr_block
  vpc_id                     = module.network.vpc_id
}

module "endpoint" {
  source = "../../modules/endpoint"

  alarm_emails           = ["finance@example.org"]
  artifacts_bucket_arn   = module.storage.artifacts_bucket_arn
  artifacts_bucket_name  = module.storage.artifacts_bucket_name
  artifacts_kms_key_arn  = module.keys.key_arns["data"]
  autoscaling            = { max = 1, min = 1, target_invocations_per_instance = 2100 }
  data_capture_percent   = 10
  ecr_repository_arns    = [module.registry.repository_arns["serving"]]
  enable_data_capture    = false
  initial_instance_count = 1
  instance_type          = "ml.g5.xlarge"
  kms_key_arn            = module.keys.key_arns["endpoints"]
  latency_alarm_ms       = 90000
  log_kms_key_arn        = module.keys.key_arns["logs"]
  log_retention_days     = 2192
  mode                   = "async"
  model_data_url         = var.model_data_url
  model_image            = var.model_image
  name                   = "radiology-triage-staging"
  security_group_ids     = [module.training.security_group_id]
  sns_kms_key_arn        = module.keys.key_arns["logs"]
  subnet_ids             = module.network.private_subnet_ids
  tags                   = local.tags
}

module "budget" {
  source = "../../modules/budget"

  activate_cost_allocation_tags = []
  alert_emails                  = ["finance@example.org"]
  cost_allocation_tag           = { key = "environment", value = "staging" }
  enable_anomaly_detection      = false
  kms_key_arn                   = module.keys.key_arns["logs"]
  monthly_limit_usd             = 1614
  name                          = "radiology-triage-staging"
  project_total                 = null
  tags                          = local.tags
  thresholds_pct                = [50, 80, 100]
}
