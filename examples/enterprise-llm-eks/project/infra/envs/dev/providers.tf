provider "aws" {
  region = var.region

  # Account guard and role: from terraform.tfvars (cloud.account_ids / cloud.deploy_role_name).
  allowed_account_ids = var.account_id == null ? null : [var.account_id]

  dynamic "assume_role" {
    for_each = var.assume_role_arn == null ? [] : [var.assume_role_arn]

    content {
      role_arn     = assume_role.value
      session_name = "mlgen-${var.environment}"
    }
  }

  default_tags {
    tags = local.tags
  }
}

# Disaster-recovery region (replicas of data and artifacts). Without a DR region it points at the
# primary region and nothing is created through it.
provider "aws" {
  alias  = "dr"
  region = var.region

  # Account guard and role: from terraform.tfvars (cloud.account_ids / cloud.deploy_role_name).
  allowed_account_ids = var.account_id == null ? null : [var.account_id]

  dynamic "assume_role" {
    for_each = var.assume_role_arn == null ? [] : [var.assume_role_arn]

    content {
      role_arn     = assume_role.value
      session_name = "mlgen-${var.environment}"
    }
  }

  default_tags {
    tags = local.tags
  }
}
