mock_provider "aws" {
  override_during = plan

  mock_data "aws_region" {
    defaults = {
      id   = "eu-west-1"
      name = "eu-west-1"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_vpc" {
    defaults = {
      cidr_block = "10.99.0.0/16"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/mlgen-ws-test-studio-execution"
    }
  }

  # Empty mock blocks make the mock provider generate computed values (ids) during plan.
  mock_resource "aws_sagemaker_domain" {}
  mock_resource "aws_sagemaker_user_profile" {}
  mock_resource "aws_security_group" {}
}

variables {
  name                 = "mlgen-ws-test"
  vpc_id               = "vpc-0123456789abcdef0"
  vpc_cidr_block       = "10.40.0.0/16"
  subnet_ids           = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
  kms_key_arn          = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  data_bucket_arn      = "arn:aws:s3:::mlgen-ws-test-data"
  artifacts_bucket_arn = "arn:aws:s3:::mlgen-ws-test-artifacts"
}

# ------------------------------------------------------------------ defaults

run "defaults_domain_is_vpc_only_encrypted_iam" {
  command = plan

  assert {
    condition     = aws_sagemaker_domain.this.app_network_access_type == "VpcOnly"
    error_message = "vpc_only = true (default) must give app_network_access_type = VpcOnly"
  }

  assert {
    condition     = aws_sagemaker_domain.this.auth_mode == "IAM"
    error_message = "domain must use IAM auth"
  }

  assert {
    condition     = aws_sagemaker_domain.this.kms_key_id == var.kms_key_arn
    error_message = "domain EFS must be encrypted with kms_key_arn"
  }

  assert {
    condition     = aws_sagemaker_domain.this.retention_policy[0].home_efs_file_system == "Retain"
    error_message = "home EFS must be retained on domain deletion"
  }

  assert {
    condition     = toset(aws_sagemaker_domain.this.subnet_ids) == toset(var.subnet_ids) && aws_sagemaker_domain.this.vpc_id == var.vpc_id
    error_message = "domain must be placed in the given VPC and subnets"
  }

  assert {
    condition     = aws_sagemaker_domain.this.default_user_settings[0].execution_role == aws_iam_role.execution.arn && aws_sagemaker_domain.this.default_space_settings[0].execution_role == aws_iam_role.execution.arn
    error_message = "users and spaces must run with the module's execution role"
  }

  assert {
    condition     = aws_sagemaker_domain.this.default_user_settings[0].sharing_settings[0].notebook_output_option == "Disabled"
    error_message = "notebook output sharing must be disabled"
  }

  assert {
    condition     = length(aws_sagemaker_user_profile.this) == 0
    error_message = "no user profiles by default"
  }
}

run "defaults_idle_shutdown" {
  command = plan

  assert {
    condition     = aws_sagemaker_domain.this.default_user_settings[0].jupyter_lab_app_settings[0].app_lifecycle_management[0].idle_settings[0].lifecycle_management == "ENABLED"
    error_message = "JupyterLab idle shutdown must be enabled for users"
  }

  assert {
    condition     = aws_sagemaker_domain.this.default_user_settings[0].jupyter_lab_app_settings[0].app_lifecycle_management[0].idle_settings[0].idle_timeout_in_minutes == 60
    error_message = "JupyterLab idle timeout must default to 60 minutes"
  }

  assert {
    condition     = aws_sagemaker_domain.this.default_user_settings[0].code_editor_app_settings[0].app_lifecycle_management[0].idle_settings[0].lifecycle_management == "ENABLED" && aws_sagemaker_domain.this.default_user_settings[0].code_editor_app_settings[0].app_lifecycle_management[0].idle_settings[0].idle_timeout_in_minutes == 60
    error_message = "Code Editor idle shutdown must be enabled with the same timeout"
  }

  assert {
    condition     = aws_sagemaker_domain.this.default_space_settings[0].jupyter_lab_app_settings[0].app_lifecycle_management[0].idle_settings[0].lifecycle_management == "ENABLED" && aws_sagemaker_domain.this.default_space_settings[0].jupyter_lab_app_settings[0].app_lifecycle_management[0].idle_settings[0].idle_timeout_in_minutes == 60
    error_message = "shared spaces must have JupyterLab idle shutdown with the same timeout"
  }
}

run "defaults_security_group_is_restricted" {
  command = plan

  assert {
    condition     = length(aws_security_group.this) == 1 && output.security_group_id == aws_security_group.this[0].id
    error_message = "a security group must be created when security_group_ids is empty"
  }

  assert {
    condition     = toset(aws_sagemaker_domain.this.default_user_settings[0].security_groups) == toset([aws_security_group.this[0].id]) && toset(aws_sagemaker_domain.this.default_space_settings[0].security_groups) == toset([aws_security_group.this[0].id]) && toset(aws_sagemaker_domain.this.domain_settings[0].security_group_ids) == toset([aws_security_group.this[0].id])
    error_message = "users, spaces and domain settings must all use the module's security group"
  }

  assert {
    condition     = length(aws_vpc_security_group_egress_rule.https_vpc) == 1 && length(aws_vpc_security_group_egress_rule.https_prefix_list) == 0
    error_message = "only the HTTPS-to-VPC egress rule is expected by default"
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.https_vpc[0].ip_protocol == "tcp" && aws_vpc_security_group_egress_rule.https_vpc[0].from_port == 443 && aws_vpc_security_group_egress_rule.https_vpc[0].to_port == 443
    error_message = "egress must be restricted to tcp/443"
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.https_vpc[0].cidr_ipv4 == "10.40.0.0/16"
    error_message = "egress must be restricted to the VPC CIDR"
  }

  assert {
    condition     = length(coalesce(aws_security_group.this[0].ingress, [])) == 0 && length(coalesce(aws_security_group.this[0].egress, [])) == 0
    error_message = "the security group must carry no inline rules (no ingress at all)"
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.https_vpc[0].description != null && aws_vpc_security_group_egress_rule.https_vpc[0].description != "" && aws_security_group.this[0].description != ""
    error_message = "security group and rule need descriptions"
  }

  assert {
    condition     = length(data.aws_vpc.this) == 0
    error_message = "no VPC lookup when vpc_cidr_block is passed"
  }
}

run "defaults_execution_role_least_privilege" {
  command = plan

  assert {
    condition     = jsondecode(aws_iam_role.execution.assume_role_policy).Statement[0].Principal.Service == "sagemaker.amazonaws.com" && jsondecode(aws_iam_role.execution.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    error_message = "execution role must be assumable only by SageMaker for this account"
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : [
        for a in flatten([s.Action]) : a != "*" && !endswith(a, ":*")
      ]
    ]))
    error_message = "no wildcard actions allowed in the execution policy"
  }

  assert {
    condition = toset([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Sid if contains(flatten([s.Resource]), "*")
    ]) == toset(["SageMakerListAndSearchInRegion", "EcrAuthToken", "VpcDescribe"])
    error_message = "only list/search, ECR token and EC2 describe (no resource-level permissions) may use Resource *"
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Condition["StringEquals"]["aws:RequestedRegion"] == "eu-west-1" if s.Sid == "SageMakerListAndSearchInRegion"
    ])
    error_message = "SageMaker list/search must be pinned to the region"
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if startswith(s.Sid, "S3")
    ])) == toset([var.data_bucket_arn, var.artifacts_bucket_arn, "${var.data_bucket_arn}/*", "${var.artifacts_bucket_arn}/*"])
    error_message = "S3 access must be limited to the data and artifacts buckets"
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if startswith(s.Sid, "Kms")
    ])) == toset([var.kms_key_arn])
    error_message = "KMS use must be limited to kms_key_arn"
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : [
        for r in flatten([s.Resource]) : startswith(r, "arn:aws:sagemaker:eu-west-1:123456789012:")
      ] if startswith(s.Sid, "Studio") || s.Sid == "SageMakerJobsAndExperiments"
    ]))
    error_message = "SageMaker actions must be scoped to this account and region"
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource == [aws_iam_role.execution.arn] && s.Condition.StringEquals["iam:PassedToService"] == "sagemaker.amazonaws.com" if contains(flatten([s.Action]), "iam:PassRole")
    ])
    error_message = "iam:PassRole must be limited to this role and SageMaker"
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : [
        for r in flatten([s.Resource]) : startswith(r, "arn:aws:ecr:eu-west-1:123456789012:repository/")
      ] if s.Sid == "EcrPullInAccountRegion"
    ]))
    error_message = "ECR pulls must be scoped to this account's repositories in the region"
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : [
        for r in flatten([s.Resource]) : startswith(r, "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/")
      ] if s.Sid == "SageMakerLogs"
    ]))
    error_message = "log permissions must be scoped to /aws/sagemaker/* log groups"
  }
}

# ------------------------------------------------------------------ variations

run "user_profiles_one_per_name" {
  command = plan

  variables {
    user_profiles = ["alice", "bob", "carol-ds"]
  }

  assert {
    condition     = length(aws_sagemaker_user_profile.this) == 3 && toset(keys(aws_sagemaker_user_profile.this)) == toset(["alice", "bob", "carol-ds"])
    error_message = "one user profile per name expected"
  }

  assert {
    condition     = alltrue([for u, p in aws_sagemaker_user_profile.this : p.user_profile_name == u && p.domain_id == aws_sagemaker_domain.this.id])
    error_message = "user profiles must be named after the input and belong to the domain"
  }

  assert {
    condition     = length(output.user_profile_arns) == 3
    error_message = "user_profile_arns must list every profile"
  }
}

run "public_internet_when_not_vpc_only" {
  command = plan

  variables {
    vpc_only = false
  }

  assert {
    condition     = aws_sagemaker_domain.this.app_network_access_type == "PublicInternetOnly"
    error_message = "vpc_only = false must give PublicInternetOnly"
  }
}

run "custom_idle_timeout" {
  command = plan

  variables {
    idle_timeout_minutes = 180
  }

  assert {
    condition     = aws_sagemaker_domain.this.default_user_settings[0].jupyter_lab_app_settings[0].app_lifecycle_management[0].idle_settings[0].idle_timeout_in_minutes == 180 && aws_sagemaker_domain.this.default_space_settings[0].jupyter_lab_app_settings[0].app_lifecycle_management[0].idle_settings[0].idle_timeout_in_minutes == 180
    error_message = "idle timeout must follow idle_timeout_minutes"
  }
}

run "caller_security_groups" {
  command = plan

  variables {
    security_group_ids = ["sg-0123456789abcdef0"]
  }

  assert {
    condition     = length(aws_security_group.this) == 0 && length(aws_vpc_security_group_egress_rule.https_vpc) == 0 && output.security_group_id == null
    error_message = "no security group may be created when security_group_ids is supplied"
  }

  assert {
    condition     = toset(aws_sagemaker_domain.this.default_user_settings[0].security_groups) == toset(["sg-0123456789abcdef0"]) && toset(aws_sagemaker_domain.this.domain_settings[0].security_group_ids) == toset(["sg-0123456789abcdef0"]) && toset(aws_sagemaker_domain.this.default_space_settings[0].security_groups) == toset(["sg-0123456789abcdef0"])
    error_message = "the supplied security groups must be used everywhere"
  }
}

run "vpc_cidr_looked_up_when_not_passed" {
  command = plan

  variables {
    vpc_cidr_block = null
  }

  assert {
    condition     = length(data.aws_vpc.this) == 1 && aws_vpc_security_group_egress_rule.https_vpc[0].cidr_ipv4 == "10.99.0.0/16"
    error_message = "without vpc_cidr_block the egress CIDR must come from the VPC lookup"
  }
}

run "s3_prefix_list_egress" {
  command = plan

  variables {
    https_egress_prefix_list_ids = ["pl-6da54004"]
  }

  assert {
    condition     = length(aws_vpc_security_group_egress_rule.https_prefix_list) == 1 && aws_vpc_security_group_egress_rule.https_prefix_list[0].prefix_list_id == "pl-6da54004" && aws_vpc_security_group_egress_rule.https_prefix_list[0].from_port == 443 && aws_vpc_security_group_egress_rule.https_prefix_list[0].to_port == 443 && aws_vpc_security_group_egress_rule.https_prefix_list[0].cidr_ipv4 == null
    error_message = "prefix list egress must be HTTPS to the prefix list only"
  }
}

# ------------------------------------------------------------------ validation

run "idle_timeout_below_minimum_is_rejected" {
  command = plan

  variables {
    idle_timeout_minutes = 30
  }

  expect_failures = [var.idle_timeout_minutes]
}

run "kms_alias_is_rejected" {
  command = plan

  variables {
    kms_key_arn = "alias/data"
  }

  expect_failures = [var.kms_key_arn]
}

run "bucket_name_instead_of_arn_is_rejected" {
  command = plan

  variables {
    data_bucket_arn = "mlgen-ws-test-data"
  }

  expect_failures = [var.data_bucket_arn]
}

run "bad_user_profile_name_is_rejected" {
  command = plan

  variables {
    user_profiles = ["alice_smith"]
  }

  expect_failures = [var.user_profiles]
}

run "too_many_security_groups_are_rejected" {
  command = plan

  variables {
    security_group_ids = ["sg-01", "sg-02", "sg-03", "sg-04"]
  }

  expect_failures = [var.security_group_ids]
}

run "destroyable_sandbox_deletes_the_home_file_system" {
  command = plan

  variables {
    destroyable = true
  }

  assert {
    condition     = aws_sagemaker_domain.this.retention_policy[0].home_efs_file_system == "Delete"
    error_message = "A destroyable stage must delete the Studio EFS (its ENIs block the VPC's destroy otherwise)."
  }
}
