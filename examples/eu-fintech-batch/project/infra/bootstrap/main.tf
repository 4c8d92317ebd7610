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

  name = "fraud-scoring"
  tags = local.tags
}

module "ci" {
  source = "../modules/ci_identity"

  deploy_name_prefix = "fraud-scoring"
  github_repository  = "example-bank/fraud-scoring"
  name               = "fraud-scoring-ci"
  state_bucket_arn   = module.state.bucket_arn
  state_kms_key_arn  = module.state.kms_key_arn
  tags               = local.tags
}
