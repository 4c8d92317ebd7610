variable "apply_environment" {
  type        = string
  description = "GitHub Actions environment whose jobs may assume the apply role (token sub repo:<repo>:environment:<name>). Protect it with required reviewers and deployment-branch rules in GitHub."
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$", var.apply_environment))
    error_message = "apply_environment must be a GitHub environment name of letters, digits, '.', '_' or '-' (no wildcards or spaces)."
  }
}

variable "apply_policy_arns" {
  type        = list(string)
  description = "IAM policy ARNs attached to the apply role: the permissions Terraform needs to create your infrastructure. Your choice (e.g. a scoped customer-managed policy, or PowerUserAccess plus an IAM policy). Empty means the apply role can only read/write the state."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.apply_policy_arns : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", arn))])
    error_message = "Each apply_policy_arns entry must be an IAM policy ARN (arn:aws:iam::aws:policy/<name> or arn:aws:iam::<account>:policy/<name>)."
  }
}

variable "create_oidc_provider" {
  type        = bool
  description = "Create the IAM OIDC provider for token.actions.githubusercontent.com. An account can hold only one; set false and pass oidc_provider_arn when it already exists (e.g. a second environment in the same account)."
  default     = true
  nullable    = false
}

variable "deploy_name_prefix" {
  type        = string
  description = "Let the apply role deploy the project: attach AWS managed PowerUserAccess and allow IAM only on roles and policies named \"<prefix>-*\" (the generated modules' naming). Null: the apply role gets only apply_policy_arns and the state."
  default     = null

  validation {
    condition     = var.deploy_name_prefix == null || can(regex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", var.deploy_name_prefix))
    error_message = "deploy_name_prefix must be the project slug: 3-40 lowercase letters, digits and hyphens, no wildcards."
  }
}

variable "github_repository" {
  type        = string
  description = "GitHub repository allowed to assume the roles, as \"owner/repo\" (case as shown on GitHub)."

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be \"owner/repo\" (e.g. \"acme/fraud-scoring\"): no wildcards, spaces, URLs or extra slashes."
  }
}

variable "main_branch" {
  type        = string
  description = "Branch whose pushes may assume the apply role (token sub repo:<repo>:ref:refs/heads/<branch>)."
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.main_branch)) && !startswith(var.main_branch, "refs/")
    error_message = "main_branch must be a plain branch name such as \"main\" (no refs/heads/ prefix, no wildcards)."
  }
}

variable "name" {
  type        = string
  description = "Name prefix for the IAM roles (e.g. \"fraud-scoring-dev\")."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "oidc_provider_arn" {
  type        = string
  description = "ARN of an existing token.actions.githubusercontent.com OIDC provider. Required when create_oidc_provider = false; must be null otherwise."
  default     = null

  validation {
    condition     = var.oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com."
  }

  validation {
    condition     = var.create_oidc_provider || var.oidc_provider_arn != null
    error_message = "Set create_oidc_provider = true or pass oidc_provider_arn of the existing GitHub OIDC provider."
  }

  validation {
    condition     = !(var.create_oidc_provider && var.oidc_provider_arn != null)
    error_message = "oidc_provider_arn is only used with create_oidc_provider = false; set one or the other."
  }
}

variable "state_bucket_arn" {
  type        = string
  description = "ARN of the Terraform state bucket (S3 backend with use_lockfile = true)."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_arn))
    error_message = "state_bucket_arn must be an S3 bucket ARN such as arn:aws:s3:::my-tf-state."
  }
}

variable "state_key_prefix" {
  type        = string
  description = "Limit state access to keys under this prefix (e.g. \"dev/\"). Empty grants the whole state bucket."
  default     = ""
  nullable    = false

  validation {
    condition     = var.state_key_prefix == "" || can(regex("^[A-Za-z0-9!_.()'-][A-Za-z0-9!_.()'/-]*/$", var.state_key_prefix))
    error_message = "state_key_prefix must be empty or a key prefix ending in '/' without wildcards (e.g. \"dev/\")."
  }
}

variable "state_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key that encrypts the state bucket."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.state_kms_key_arn))
    error_message = "state_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every taggable resource."
  default     = {}
  nullable    = false
}
