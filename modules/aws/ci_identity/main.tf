data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition

  github_oidc_host = "token.actions.githubusercontent.com"

  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn

  # Token subjects. Plan: any ref, pull request or environment of the repository.
  # Apply: only the protected environment or pushes to the main branch.
  plan_subject = "repo:${var.github_repository}:*"
  apply_subjects = [
    "repo:${var.github_repository}:environment:${var.apply_environment}",
    "repo:${var.github_repository}:ref:refs/heads/${var.main_branch}",
  ]

  state_objects = "${var.state_bucket_arn}/${var.state_key_prefix}*"

  # With deploy_name_prefix the apply role can create the project: every service except IAM and
  # Organizations (AWS managed PowerUserAccess), plus IAM limited to roles and policies whose names
  # start with the prefix (the generated modules name theirs "<project>-<env>-...").
  apply_policy_arns = distinct(concat(
    var.apply_policy_arns,
    var.deploy_name_prefix == null ? [] : ["arn:${local.partition}:iam::aws:policy/PowerUserAccess"],
  ))
  project_iam_arns = var.deploy_name_prefix == null ? [] : [
    "arn:${local.partition}:iam::*:role/${var.deploy_name_prefix}-*",
    "arn:${local.partition}:iam::*:policy/${var.deploy_name_prefix}-*",
  ]
  state_locks = "${var.state_bucket_arn}/${var.state_key_prefix}*.tflock"

  # State access shared by both roles. S3-native locking (use_lockfile = true)
  # writes and deletes <key>.tflock next to the state object.
  state_statements = [
    {
      Sid      = "ListStateBucket"
      Effect   = "Allow"
      Action   = ["s3:ListBucket"]
      Resource = [var.state_bucket_arn]
    },
    {
      Sid      = "ReadState"
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = [local.state_objects]
    },
    {
      Sid      = "WriteAndReleaseLockFiles"
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:DeleteObject"]
      Resource = [local.state_locks]
    },
    {
      Sid      = "UseStateKey"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
      Resource = [var.state_kms_key_arn]
    },
  ]
}

# GitHub's thumbprints are listed for providers older than AWS's July 2023
# change; AWS now validates GitHub's certificate through its trusted CA
# library and ignores them, but older provider versions require the argument.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  thumbprint_list = [
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
  ]
  tags = var.tags
}

# --- Plan role -----------------------------------------------------------------

resource "aws_iam_role" "plan" {
  name                 = "${var.name}-github-plan"
  description          = "GitHub Actions terraform plan for ${var.github_repository} (read-only + state locks)"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubActionsAnyRefOfRepository"
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "${local.github_oidc_host}:aud" = "sts.amazonaws.com" }
        StringLike   = { "${local.github_oidc_host}:sub" = local.plan_subject }
      }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  role       = aws_iam_role.plan.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy" "plan_state" {
  name   = "terraform-state"
  role   = aws_iam_role.plan.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.state_statements })
}

# The plan role is reachable from any branch or pull request, and ReadOnlyAccess
# includes s3:GetObject on every bucket. Planning needs object reads only on the
# state, so reading any other object (training data, models) is denied.
resource "aws_iam_role_policy" "plan_deny_object_reads" {
  name = "deny-object-reads-outside-state"
  role = aws_iam_role.plan.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid         = "DenyObjectReadsOutsideState"
      Effect      = "Deny"
      Action      = ["s3:GetObject", "s3:GetObjectVersion"]
      NotResource = [local.state_objects]
    }]
  })
}

# --- Apply role ----------------------------------------------------------------

resource "aws_iam_role" "apply" {
  name                 = "${var.name}-github-apply"
  description          = "GitHub Actions terraform apply for ${var.github_repository} (${var.apply_environment} environment or ${var.main_branch})"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubActionsProtectedEnvironmentOrMainBranch"
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.github_oidc_host}:aud" = "sts.amazonaws.com"
          "${local.github_oidc_host}:sub" = local.apply_subjects
        }
      }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "apply_state" {
  name = "terraform-state"
  role = aws_iam_role.apply.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.state_statements, [{
      Sid      = "WriteState"
      Effect   = "Allow"
      Action   = ["s3:PutObject"]
      Resource = [local.state_objects]
    }])
  })
}

resource "aws_iam_role_policy_attachment" "apply" {
  for_each = toset(local.apply_policy_arns)

  role       = aws_iam_role.apply.name
  policy_arn = each.value
}

resource "aws_iam_role_policy" "apply_project_iam" {
  count = var.deploy_name_prefix == null ? 0 : 1

  name = "project-iam"
  role = aws_iam_role.apply.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The roles and policies of this project only: the apply role cannot create an
        # administrator role or change roles it does not own.
        Sid    = "ProjectRolesAndPolicies"
        Effect = "Allow"
        Action = [
          "iam:AttachRolePolicy", "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:CreateRole",
          "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:DeleteRole", "iam:DeleteRolePolicy",
          "iam:DetachRolePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy",
          "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:ListPolicyVersions",
          "iam:ListRolePolicies", "iam:ListRoleTags", "iam:PassRole", "iam:PutRolePolicy", "iam:TagPolicy",
          "iam:TagRole", "iam:UntagPolicy", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
          "iam:UpdateRoleDescription",
        ]
        Resource = local.project_iam_arns
      },
      {
        # Terraform reads the CI OIDC provider it manages in the bootstrap root.
        Sid      = "ReadOidcProviders"
        Effect   = "Allow"
        Action   = ["iam:GetOpenIDConnectProvider"]
        Resource = ["arn:${local.partition}:iam::*:oidc-provider/*"]
      },
    ]
  })
}
