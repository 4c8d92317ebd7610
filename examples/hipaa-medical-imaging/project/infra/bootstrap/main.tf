# Bootstrap: the remote-state bucket (and, when a GitHub repository is named, the CI OIDC roles).
# Apply once with local state, then keep its terraform.tfstate safe (or migrate it into the bucket).
locals {
  tags = {
    project             = var.project
    environment         = "bootstrap"
    cost-center         = var.cost_center
    data-classification = var.data_classification
    owner               = var.owner
    managed-by          = "mlgen"
  }
}

module "state" {
  source = "../modules/state_backend"

  name = "radiology-triage"
  tags = local.tags
}

module "ci" {
  source = "../modules/ci_identity"

  deploy_name_prefix = "radiology-triage"
  github_repository  = "example-health/radiology-triage"
  name               = "radiology-triage-ci"
  state_bucket_arn   = module.state.bucket_arn
  state_kms_key_arn  = module.state.kms_key_arn
  tags               = local.tags
}
