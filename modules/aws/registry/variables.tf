variable "artifacts_bucket_arn" {
  type        = string
  description = "ARN of the artifacts bucket that holds the MLflow artifact store. Null derives it from artifacts_bucket_name (same partition)."
  default     = null

  validation {
    condition     = var.artifacts_bucket_arn == null || can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts_bucket_arn))
    error_message = "artifacts_bucket_arn must be an S3 bucket ARN such as arn:aws:s3:::my-artifacts-bucket (no object path)."
  }
}

variable "artifacts_bucket_name" {
  type        = string
  description = "Name of the artifacts bucket. The MLflow artifact store is s3://<artifacts_bucket_name>/mlflow. Required when enable_mlflow is true."
  default     = null

  validation {
    condition     = !var.enable_mlflow || var.artifacts_bucket_name != null
    error_message = "artifacts_bucket_name is required when enable_mlflow = true: pass the storage module's artifacts_bucket_name output."
  }
}

variable "artifacts_kms_key_arn" {
  type        = string
  description = "KMS key that encrypts the artifacts bucket; the MLflow role may use it. Null means kms_key_arn."
  default     = null
}

variable "destroyable" {
  type        = bool
  description = "Let `terraform destroy` delete the ECR repositories with the images in them (force_delete): dev or staging. Keep false where released images must survive."
  default     = false
}

variable "enable_mlflow" {
  type        = bool
  description = "Create a SageMaker managed MLflow tracking server (billed per hour while it exists)."
  default     = false
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the customer managed KMS key that encrypts the ECR repositories."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); pass module.keys.key_arns[\"artifacts\"]."
  }
}

variable "max_image_count" {
  type        = number
  description = "Keep at most this many images per repository; older images (tagged or not) are expired."
  default     = 50

  validation {
    condition     = var.max_image_count >= 1 && floor(var.max_image_count) == var.max_image_count
    error_message = "max_image_count must be a whole number >= 1."
  }
}

variable "mlflow_server_size" {
  type        = string
  description = "Size of the MLflow tracking server: Small, Medium or Large."
  default     = "Small"

  validation {
    condition     = contains(["Small", "Medium", "Large"], var.mlflow_server_size)
    error_message = "mlflow_server_size must be one of Small, Medium, Large."
  }
}

variable "mlflow_version" {
  type        = string
  description = "MLflow version of the tracking server. Null uses the SageMaker default."
  default     = null
}

variable "name" {
  type        = string
  description = "Prefix for resource names, e.g. \"fraud-scoring-dev\"."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens, not starting or ending with a hyphen."
  }
}

variable "repositories" {
  type        = set(string)
  description = "Repository suffixes; each becomes an ECR repository named \"<name>-<repo>\"."
  default     = ["training", "serving"]
  nullable    = false

  validation {
    condition     = alltrue([for r in var.repositories : can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", r))])
    error_message = "Each repository must be lowercase letters and digits, optionally separated by single '.', '_' or '-'."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource."
  default     = {}
  nullable    = false
}

variable "untagged_image_expiry_days" {
  type        = number
  description = "Expire untagged images this many days after they were pushed."
  default     = 14

  validation {
    condition     = var.untagged_image_expiry_days >= 1 && floor(var.untagged_image_expiry_days) == var.untagged_image_expiry_days
    error_message = "untagged_image_expiry_days must be a whole number >= 1."
  }
}
