data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# `id` is the region name in provider 5.x and 6.x (`name` is deprecated in 6.x).
data "aws_region" "current" {}

locals {
  region     = data.aws_region.current.id
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  create_security_group = length(var.security_group_ids) == 0
  security_group_ids    = local.create_security_group ? [aws_security_group.this[0].id] : var.security_group_ids

  app_network_access_type = var.vpc_only ? "VpcOnly" : "PublicInternetOnly"

  tags = var.tags
}

resource "aws_sagemaker_domain" "this" {
  domain_name             = var.name
  auth_mode               = "IAM"
  vpc_id                  = var.vpc_id
  subnet_ids              = var.subnet_ids
  app_network_access_type = local.app_network_access_type
  kms_key_id              = var.kms_key_arn
  tag_propagation         = "ENABLED"

  default_user_settings {
    execution_role    = aws_iam_role.execution.arn
    security_groups   = local.security_group_ids
    studio_web_portal = "ENABLED"

    # Do not let users share notebook snapshots (with cell outputs) to S3.
    sharing_settings {
      notebook_output_option = "Disabled"
    }

    jupyter_lab_app_settings {
      app_lifecycle_management {
        idle_settings {
          lifecycle_management    = "ENABLED"
          idle_timeout_in_minutes = var.idle_timeout_minutes
        }
      }
    }

    code_editor_app_settings {
      app_lifecycle_management {
        idle_settings {
          lifecycle_management    = "ENABLED"
          idle_timeout_in_minutes = var.idle_timeout_minutes
        }
      }
    }
  }

  default_space_settings {
    execution_role  = aws_iam_role.execution.arn
    security_groups = local.security_group_ids

    jupyter_lab_app_settings {
      app_lifecycle_management {
        idle_settings {
          lifecycle_management    = "ENABLED"
          idle_timeout_in_minutes = var.idle_timeout_minutes
        }
      }
    }
  }

  domain_settings {
    security_group_ids = local.security_group_ids
  }

  # Production keeps the users' EFS home directories (notebooks, local data) when the domain is
  # destroyed; a retained file system keeps its ENIs in the subnets, so the VPC cannot be destroyed
  # until it is deleted by hand. Destroyable stages delete it with the domain.
  retention_policy {
    home_efs_file_system = var.destroyable ? "Delete" : "Retain"
  }

  tags = merge(local.tags, { Name = var.name })
}

resource "aws_sagemaker_user_profile" "this" {
  for_each = var.user_profiles

  domain_id         = aws_sagemaker_domain.this.id
  user_profile_name = each.key

  tags = merge(local.tags, { Name = "${var.name}-${each.key}" })
}
