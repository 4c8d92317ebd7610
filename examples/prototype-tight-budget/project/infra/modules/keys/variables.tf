variable "deletion_window_in_days" {
  type        = number
  description = "Waiting period, in days, before a scheduled key deletion takes effect. Longer is safer: a key scheduled for deletion by mistake can be recovered during the window."
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30 && floor(var.deletion_window_in_days) == var.deletion_window_in_days
    error_message = "deletion_window_in_days must be a whole number between 7 and 30 (AWS KMS limits)."
  }
}

variable "name" {
  type        = string
  description = "Prefix for resource names, e.g. \"fraud-scoring-dev\". Aliases are alias/<name>-<purpose>."

  validation {
    condition     = can(regex("^[a-z0-9-]{3,40}$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens."
  }
}

variable "purposes" {
  type        = set(string)
  description = "Which customer-managed keys to create, one per purpose. Allowed: data, logs, artifacts, eks, endpoints."
  default     = ["data", "logs", "artifacts"]
  nullable    = false

  validation {
    condition     = length(var.purposes) > 0 && alltrue([for p in var.purposes : contains(["data", "logs", "artifacts", "eks", "endpoints"], p)])
    error_message = "purposes must be a non-empty set drawn from: data, logs, artifacts, eks, endpoints."
  }
}

variable "rotation_period_in_days" {
  type        = number
  description = "How often AWS KMS rotates the key material of every key (automatic rotation is always on)."
  default     = 365

  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560 && floor(var.rotation_period_in_days) == var.rotation_period_in_days
    error_message = "rotation_period_in_days must be a whole number between 90 and 2560 (AWS KMS limits)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of the module."
  default     = {}
  nullable    = false
}
