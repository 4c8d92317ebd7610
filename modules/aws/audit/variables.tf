variable "alert_emails" {
  type        = list(string)
  description = "Email addresses subscribed to the audit topic. They receive only CloudWatch alarm messages (the security alarms of this module), not the per-file CloudTrail delivery notifications. Each address must confirm the subscription."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails must contain valid email addresses (name@example.com)."
  }
}

variable "data_event_bucket_arns" {
  type        = list(string)
  description = "ARNs of S3 buckets (arn:aws:s3:::bucket) whose object-level reads and writes CloudTrail records as data events. Empty = management events only. Data events are billed per event."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.data_event_bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", a))])
    error_message = "data_event_bucket_arns must be S3 bucket ARNs like arn:aws:s3:::my-bucket (no object path, no trailing slash)."
  }
}

variable "destroyable" {
  type        = bool
  description = "Let `terraform destroy` remove the trail bucket with its logs (no prevent_destroy, force_destroy): only for a sandbox whose audit logs no regime requires to keep. False keeps the evidence."
  default     = false
}

variable "enable_security_alarms" {
  type        = bool
  description = "Create the CIS AWS Foundations metric filters and CloudWatch alarms (root usage, console sign-in without MFA, IAM/CloudTrail/KMS/S3/network changes, ...) on the trail's log group, alarming to the audit topic."
  default     = true
}

variable "include_management_events" {
  type        = bool
  description = "Record management events (the account's management trail). Set false in roots that share an account with the root owning its trail (a second management trail bills every event again); the trail then records only the data events of data_event_bucket_arns (single-region: they are this region's buckets), which must not be empty."
  default     = true

  validation {
    condition     = var.include_management_events || length(var.data_event_bucket_arns) > 0
    error_message = "A trail without management events needs data_event_bucket_arns; drop the module instead when neither is wanted."
  }
}

variable "is_multi_region" {
  type        = bool
  description = "Record events from every region in this one trail. Keep true unless another multi-region trail already covers the account."
  default     = true
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the KMS key (the keys module's \"logs\" key) that encrypts trail log files, the trail bucket, the log group and the SNS topic. Its policy must allow CloudTrail, CloudWatch Logs and CloudWatch alarms."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases are not accepted by CloudWatch Logs."
  }
}

variable "name" {
  type        = string
  description = "Prefix for resource names, e.g. \"fraud-scoring-dev\". Also the trail name."

  validation {
    condition     = can(regex("^[a-z0-9-]{3,40}$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens."
  }
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days a deleted or overwritten (noncurrent) log-file version is kept in the versioned trail bucket before it is removed."
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of at least 1."
  }
}

variable "retention_days" {
  type        = number
  description = "How long audit records are kept: the CloudWatch Logs retention and the age at which trail log files expire in S3. At least 365; must be a CloudWatch Logs retention value."
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.retention_days)
    error_message = "retention_days must be one of 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (CloudWatch Logs retention values of at least one year)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of the module."
  default     = {}
  nullable    = false
}
