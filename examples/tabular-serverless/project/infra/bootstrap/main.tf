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

  name = "demand-forecast"
  tags = local.tags
}
