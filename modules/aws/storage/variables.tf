variable "checkpoint_noncurrent_days" {
  type        = number
  description = "Days after which noncurrent versions of objects under checkpoints/ in the artifacts bucket are deleted."
  default     = 7
  nullable    = false

  validation {
    condition     = var.checkpoint_noncurrent_days >= 1 && floor(var.checkpoint_noncurrent_days) == var.checkpoint_noncurrent_days
    error_message = "checkpoint_noncurrent_days must be a whole number of days, at least 1."
  }
}

variable "create_kms_key" {
  type        = bool
  description = "Create a customer-managed key (yearly rotation) for the buckets. Set false and pass kms_key_arn to use a key from the keys module; a bool, not kms_key_arn == null, so the count is known at plan time even when the ARN is not."
  default     = true
}

variable "data_capture_expiration_days" {
  type        = number
  description = "Days after which endpoint data capture (data-capture/ in the artifacts bucket) expires."
  default     = 90
  nullable    = false

  validation {
    condition     = var.data_capture_expiration_days >= 1 && floor(var.data_capture_expiration_days) == var.data_capture_expiration_days
    error_message = "data_capture_expiration_days must be a whole number of days, at least 1."
  }
}

variable "destroyable" {
  type        = bool
  description = "Let `terraform destroy` remove the buckets with their objects (a dev or staging sandbox): the data bucket drops prevent_destroy and, like the versioned artifacts bucket, gets force_destroy. Keep false where the data must survive (production, or a regime that requires retention)."
  default     = false
}

variable "enable_fsx" {
  type        = bool
  description = "Create an FSx for Lustre file system linked to the data bucket (data repository association under /data)."
  default     = false
  nullable    = false
}

variable "fsx_deployment_type" {
  type        = string
  description = "FSx for Lustre deployment type: SCRATCH_2 (cheap, short-lived, FSx-managed encryption) or PERSISTENT_2 (replicated, encrypted with the storage KMS key)."
  default     = "SCRATCH_2"
  nullable    = false

  validation {
    condition     = contains(["SCRATCH_2", "PERSISTENT_2"], var.fsx_deployment_type)
    error_message = "fsx_deployment_type must be SCRATCH_2 or PERSISTENT_2 (the older SCRATCH_1/PERSISTENT_1 types do not support data repository associations)."
  }
}

variable "fsx_per_unit_storage_throughput" {
  type        = number
  description = "Throughput in MB/s per TiB for PERSISTENT_2 file systems (ignored for SCRATCH_2)."
  default     = 125
  nullable    = false

  validation {
    condition     = contains([125, 250, 500, 1000], var.fsx_per_unit_storage_throughput)
    error_message = "fsx_per_unit_storage_throughput must be one of 125, 250, 500 or 1000."
  }
}

variable "fsx_security_group_ids" {
  type        = list(string)
  description = "Security groups for the FSx file system. Empty: the module creates one that allows Lustre traffic (TCP 988, 1018-1023) between its members; attach it to the Lustre clients."
  default     = []
  nullable    = false
}

variable "fsx_storage_capacity_gb" {
  type        = number
  description = "FSx for Lustre storage capacity in GiB (SSD: 1200, or a multiple of 2400)."
  default     = 1200
  nullable    = false

  validation {
    condition     = var.fsx_storage_capacity_gb == 1200 || (var.fsx_storage_capacity_gb > 0 && var.fsx_storage_capacity_gb % 2400 == 0)
    error_message = "fsx_storage_capacity_gb must be 1200 or a multiple of 2400 (e.g. 2400, 4800)."
  }
}

variable "fsx_subnet_id" {
  type        = string
  description = "Private subnet for the FSx file system. Required when enable_fsx is true."
  default     = null

  validation {
    condition     = !var.enable_fsx || var.fsx_subnet_id != null
    error_message = "Set fsx_subnet_id to a private subnet ID when enable_fsx is true."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the KMS key that encrypts the data and artifacts buckets (and PERSISTENT_2 FSx). Used when create_kms_key is false."
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }

  validation {
    condition     = var.create_kms_key || var.kms_key_arn != null
    error_message = "Set kms_key_arn when create_kms_key is false (or let the module create its key)."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days to keep S3 server access logs in the log bucket."
  default     = 365
  nullable    = false

  validation {
    condition     = var.log_retention_days >= 1 && floor(var.log_retention_days) == var.log_retention_days
    error_message = "log_retention_days must be a whole number of days, at least 1."
  }
}

variable "name" {
  type        = string
  description = "Prefix for resource names, e.g. \"fraud-scoring-dev\"."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days after which noncurrent object versions are deleted."
  default     = 90
  nullable    = false

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of days, at least 1."
  }
}

variable "object_lock" {
  type = object({
    enabled        = optional(bool, false)
    mode           = optional(string, "GOVERNANCE")
    retention_days = optional(number, 365)
  })
  description = "S3 Object Lock (WORM) on the data bucket with a default retention. Decide at creation: turning it on later replaces the bucket, which prevent_destroy blocks."
  default     = {}
  nullable    = false

  validation {
    condition     = contains(["GOVERNANCE", "COMPLIANCE"], var.object_lock.mode)
    error_message = "object_lock.mode must be GOVERNANCE or COMPLIANCE."
  }

  validation {
    condition     = var.object_lock.retention_days >= 1 && floor(var.object_lock.retention_days) == var.object_lock.retention_days
    error_message = "object_lock.retention_days must be a whole number of days, at least 1."
  }
}

variable "replication" {
  type = object({
    enabled     = optional(bool, false)
    kms_key_arn = optional(string)
  })
  description = "Cross-region replication of the data and artifacts buckets to DR buckets created through the aws.dr provider. kms_key_arn: key in the DR region for the replicas; null creates one there."
  default     = {}
  nullable    = false

  validation {
    condition     = var.replication.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.replication.kms_key_arn))
    error_message = "replication.kms_key_arn must be a KMS key ARN in the DR region, or null."
  }

  validation {
    condition     = !var.replication.enabled || length(var.name) <= 37
    error_message = "With replication enabled, name must be at most 37 characters so the DR bucket names (<name>-artifacts-dr-<account id>) fit the 63-character S3 limit."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
  nullable    = false
}

variable "transition_to_ia_days" {
  type        = number
  description = "Days after which current objects in the data and artifacts buckets move to STANDARD_IA; 0 turns the transition off."
  default     = 30
  nullable    = false

  validation {
    condition     = var.transition_to_ia_days == 0 || (var.transition_to_ia_days >= 30 && floor(var.transition_to_ia_days) == var.transition_to_ia_days)
    error_message = "transition_to_ia_days must be 0 (off) or a whole number of at least 30 (the S3 minimum for STANDARD_IA)."
  }
}
