mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    override_during = plan
    defaults        = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock-role" }
  }
}

variables {
  name              = "fraud-scoring-dev"
  github_repository = "acme/fraud-scoring"
  state_bucket_arn  = "arn:aws:s3:::acme-fraud-scoring-tfstate"
  state_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000001"
}

run "creates_oidc_provider_by_default" {
  command = plan

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 1
    error_message = "The GitHub OIDC provider must be created when create_oidc_provider = true."
  }

  assert {
    condition = (
      aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com" &&
      aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"]) &&
      length(aws_iam_openid_connect_provider.github[0].thumbprint_list) == 2
    )
    error_message = "The provider must be token.actions.githubusercontent.com with audience sts.amazonaws.com and GitHub's thumbprints."
  }

  assert {
    condition     = jsondecode(aws_iam_role.plan.assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    error_message = "The plan role must trust the created OIDC provider."
  }

  assert {
    condition     = aws_iam_role.plan.max_session_duration == 3600 && aws_iam_role.apply.max_session_duration == 3600
    error_message = "CI sessions must be limited to one hour."
  }
}

run "plan_role_trust_and_permissions" {
  command = plan

  assert {
    condition = (
      jsondecode(aws_iam_role.plan.assume_role_policy).Statement[0].Action == "sts:AssumeRoleWithWebIdentity" &&
      jsondecode(aws_iam_role.plan.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com" &&
      jsondecode(aws_iam_role.plan.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] == "repo:acme/fraud-scoring:*"
    )
    error_message = "The plan role must require aud sts.amazonaws.com and a sub of this repository only."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.plan_read_only.policy_arn == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    error_message = "The plan role must have ReadOnlyAccess."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.plan_state.policy).Statement :
      toset(s.Action) == toset(["s3:PutObject", "s3:DeleteObject"]) && s.Resource == ["arn:aws:s3:::acme-fraud-scoring-tfstate/*.tflock"]
    ])
    error_message = "The plan role may write and delete only *.tflock lock files."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.plan_state.policy).Statement :
      !contains(s.Action, "s3:PutObject") || alltrue([for r in s.Resource : endswith(r, ".tflock")])
    ])
    error_message = "The plan role must not be able to write state objects."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.plan_state.policy).Statement :
      contains(s.Action, "kms:Decrypt") && s.Resource == [var.state_kms_key_arn]
    ])
    error_message = "The plan role must be able to use the state KMS key (and only it)."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role_policy.plan_deny_object_reads.policy).Statement[0].Effect == "Deny" &&
      contains(jsondecode(aws_iam_role_policy.plan_deny_object_reads.policy).Statement[0].Action, "s3:GetObject") &&
      jsondecode(aws_iam_role_policy.plan_deny_object_reads.policy).Statement[0].NotResource == ["arn:aws:s3:::acme-fraud-scoring-tfstate/*"]
    )
    error_message = "The plan role must be denied object reads outside the state bucket."
  }
}

run "apply_role_trust_and_permissions" {
  command = plan

  assert {
    condition = (
      jsondecode(aws_iam_role.apply.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com" &&
      toset(jsondecode(aws_iam_role.apply.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]) == toset([
        "repo:acme/fraud-scoring:environment:production",
        "repo:acme/fraud-scoring:ref:refs/heads/main",
      ])
    )
    error_message = "The apply role must trust exactly the production environment and the main branch of this repository."
  }

  assert {
    condition     = !can(jsondecode(aws_iam_role.apply.assume_role_policy).Statement[0].Condition.StringLike)
    error_message = "The apply role trust must not use wildcard (StringLike) subject matching."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.apply_state.policy).Statement :
      s.Action == ["s3:PutObject"] && s.Resource == ["arn:aws:s3:::acme-fraud-scoring-tfstate/*"]
    ])
    error_message = "The apply role must be able to write state."
  }

  assert {
    condition     = length(aws_iam_role_policy_attachment.apply) == 0 && strcontains(output.apply_permissions_note, "no apply_policy_arns were given")
    error_message = "Without apply_policy_arns nothing is attached and the note must say so."
  }
}

run "existing_provider_custom_refs_and_policies" {
  command = plan

  variables {
    create_oidc_provider = false
    oidc_provider_arn    = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    main_branch          = "trunk"
    apply_environment    = "prod-eu"
    state_key_prefix     = "prod/"
    apply_policy_arns    = ["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::123456789012:policy/terraform-iam"]
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && output.oidc_provider_arn == var.oidc_provider_arn
    error_message = "No provider may be created when create_oidc_provider = false; the given ARN is used."
  }

  assert {
    condition     = jsondecode(aws_iam_role.apply.assume_role_policy).Statement[0].Principal.Federated == var.oidc_provider_arn
    error_message = "The apply role must trust the existing provider."
  }

  assert {
    condition = toset(jsondecode(aws_iam_role.apply.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]) == toset([
      "repo:acme/fraud-scoring:environment:prod-eu",
      "repo:acme/fraud-scoring:ref:refs/heads/trunk",
    ])
    error_message = "apply_environment and main_branch must drive the apply trust."
  }

  assert {
    condition     = length(aws_iam_role_policy_attachment.apply) == 2 && !strcontains(output.apply_permissions_note, "no apply_policy_arns")
    error_message = "Each apply_policy_arns entry must be attached to the apply role."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.plan_state.policy).Statement :
      s.Resource == ["arn:aws:s3:::acme-fraud-scoring-tfstate/prod/*.tflock"]
    ])
    error_message = "state_key_prefix must narrow state access."
  }
}

run "rejects_repository_without_owner" {
  command = plan

  variables {
    github_repository = "fraud-scoring"
  }

  expect_failures = [var.github_repository]
}

run "rejects_repository_wildcard" {
  command = plan

  variables {
    github_repository = "acme/*"
  }

  expect_failures = [var.github_repository]
}

run "rejects_repository_url" {
  command = plan

  variables {
    github_repository = "https://github.com/acme/fraud-scoring"
  }

  expect_failures = [var.github_repository]
}

run "rejects_missing_provider" {
  command = plan

  variables {
    create_oidc_provider = false
  }

  expect_failures = [var.oidc_provider_arn]
}

run "rejects_provider_arn_with_create" {
  command = plan

  variables {
    oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }

  expect_failures = [var.oidc_provider_arn]
}

run "rejects_wrong_provider_arn" {
  command = plan

  variables {
    create_oidc_provider = false
    oidc_provider_arn    = "arn:aws:iam::123456789012:oidc-provider/accounts.google.com"
  }

  expect_failures = [var.oidc_provider_arn]
}

run "rejects_branch_wildcard" {
  command = plan

  variables {
    main_branch = "*"
  }

  expect_failures = [var.main_branch]
}

run "deploy_name_prefix_lets_apply_deploy_the_project_only" {
  command = plan

  variables {
    deploy_name_prefix = "fraud-scoring"
  }

  assert {
    condition     = contains(keys(aws_iam_role_policy_attachment.apply), "arn:aws:iam::aws:policy/PowerUserAccess")
    error_message = "With deploy_name_prefix the apply role must get PowerUserAccess (every service but IAM/Organizations)."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.apply_project_iam[0].policy).Statement : s.Resource if s.Sid == "ProjectRolesAndPolicies"][0] == [
      "arn:aws:iam::*:role/fraud-scoring-*",
      "arn:aws:iam::*:policy/fraud-scoring-*",
    ]
    error_message = "IAM changes must be limited to the project's own roles and policies."
  }

  assert {
    condition     = contains([for s in jsondecode(aws_iam_role_policy.apply_project_iam[0].policy).Statement : s.Sid if s.Sid == "ProjectRolesAndPolicies"], "ProjectRolesAndPolicies") && !anytrue([for s in jsondecode(aws_iam_role_policy.apply_project_iam[0].policy).Statement : contains(s.Action, "iam:CreateUser")])
    error_message = "The apply role must not create IAM users."
  }
}
