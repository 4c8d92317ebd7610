variable "artifacts_bucket_arn" {
  type        = string
  description = "ARN of the artifacts bucket (model output, checkpoints, code). Training jobs may read, write and delete objects in it."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts_bucket_arn))
    error_message = "artifacts_bucket_arn must be an S3 bucket ARN such as arn:aws:s3:::my-artifacts-bucket."
  }
}

variable "artifacts_bucket_name" {
  type        = string
  description = "Name of the artifacts bucket, used for output_path and checkpoint_path. Null derives it from artifacts_bucket_arn."
  default     = null
}

variable "create_log_group" {
  type        = bool
  description = "Create the account/region-wide /aws/sagemaker/TrainingJobs log group with KMS and retention. Set false when another environment in the same account and region already manages it."
  default     = true
}

variable "data_bucket_arn" {
  type        = string
  description = "ARN of the training data bucket. Training jobs may only read and list it."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.data_bucket_arn))
    error_message = "data_bucket_arn must be an S3 bucket ARN such as arn:aws:s3:::my-data-bucket."
  }
}

variable "ecr_repository_arns" {
  type        = list(string)
  description = "ECR repositories the training jobs may pull images from (registry module repository_arns)."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.ecr_repository_arns : can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", a))])
    error_message = "Each ecr_repository_arns entry must be an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>)."
  }
}

variable "enable_network_isolation" {
  type        = bool
  description = "Value the job launcher should pass as EnableNetworkIsolation (exposed as an output; SageMaker sets it per job, not per role)."
  default     = true
}

variable "kms_key_arns" {
  type        = list(string)
  description = "KMS keys training jobs may use (data, artifacts, volume encryption). The first one is exported as kms_key_arn for volume and output encryption."
  nullable    = false

  validation {
    condition     = length(var.kms_key_arns) > 0 && alltrue([for a in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", a))])
    error_message = "kms_key_arns must hold at least one KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "log_kms_key_arn" {
  type        = string
  description = "KMS key that encrypts the training log group; its key policy must allow CloudWatch Logs (the keys module \"logs\" key)."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN; pass module.keys.key_arns[\"logs\"]."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the training log group in days."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (e.g. 365, 731, 1827, 3653)."
  }
}

variable "mlflow_tracking_server_arn" {
  type        = string
  description = "ARN of the SageMaker managed MLflow tracking server the jobs log to (sagemaker-mlflow:* on it). Null: no MLflow access."
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

variable "s3_prefix_list_id" {
  type        = string
  description = "ID of the S3 prefix list (pl-...) for the security group's HTTPS egress to the S3 gateway endpoint. Null looks up com.amazonaws.<region>.s3."
  default     = null
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets training jobs run in (network module private_subnet_ids)."
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids must hold at least one subnet ID (subnet-...); training jobs run inside the VPC."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource."
  default     = {}
  nullable    = false
}

variable "vpc_cidr_block" {
  type        = string
  description = "CIDR of the VPC, for HTTPS egress to the interface VPC endpoints. Null looks it up from vpc_id."
  default     = null

  validation {
    condition     = var.vpc_cidr_block == null || can(cidrhost(var.vpc_cidr_block, 0))
    error_message = "vpc_cidr_block must be a valid IPv4 CIDR such as 10.40.0.0/16."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC the training security group is created in."

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}
