variable "alarm_emails" {
  type        = list(string)
  description = "Email addresses subscribed to the alarm topic (each must confirm the subscription)."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "Each alarm_emails entry must be an email address."
  }
}

variable "artifacts_bucket_arn" {
  type        = string
  description = "ARN of the artifacts bucket (model data, data capture, async input/output)."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts_bucket_arn))
    error_message = "artifacts_bucket_arn must be an S3 bucket ARN such as arn:aws:s3:::my-artifacts-bucket."
  }
}

variable "artifacts_bucket_name" {
  type        = string
  description = "Name of the artifacts bucket. Null derives it from artifacts_bucket_arn."
  default     = null
}

variable "artifacts_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key that encrypts the artifacts bucket (the model artefact, data capture and async output are read and written with it). Null when kms_key_arn is that key."
  default     = null
}

variable "async_output_path" {
  type        = string
  description = "S3 URI for async inference results (mode = async). Null means s3://<artifacts bucket>/async-output; failures go to the sibling prefix <path>-failures."
  default     = null

  validation {
    condition     = var.async_output_path == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^/].*$", var.async_output_path))
    error_message = "async_output_path must be an S3 URI with a key prefix, such as s3://my-bucket/async-output."
  }
}

variable "autoscaling" {
  type = object({
    min                             = optional(number, 1)
    max                             = optional(number, 2)
    target_invocations_per_instance = optional(number, 100)
    target_backlog_per_instance     = optional(number, 5)
  })
  description = "Instance autoscaling for online and async endpoints. online: min..max on InvocationsPerInstance. async: 0..max on ApproximateBacklogSizePerInstance (min is always 0 so the endpoint scales to zero)."
  default     = {}
  nullable    = false

  validation {
    condition     = var.autoscaling.min >= 1 && var.autoscaling.max >= var.autoscaling.min
    error_message = "autoscaling needs 1 <= min <= max (async endpoints always scale from 0)."
  }

  validation {
    condition     = var.autoscaling.target_invocations_per_instance > 0 && var.autoscaling.target_backlog_per_instance > 0
    error_message = "autoscaling targets must be greater than 0."
  }
}

variable "data_capture_percent" {
  type        = number
  description = "Percentage of requests captured when enable_data_capture is true."
  default     = 100

  validation {
    condition     = var.data_capture_percent >= 1 && var.data_capture_percent <= 100 && floor(var.data_capture_percent) == var.data_capture_percent
    error_message = "data_capture_percent must be a whole number from 1 to 100."
  }
}

variable "ecr_repository_arns" {
  type        = list(string)
  description = "ECR repositories the execution role may pull from (the serving repository): `make deploy` creates the model from them even when model_image is null here."
  default     = []
  nullable    = false
}

variable "enable_data_capture" {
  type        = bool
  description = "Capture request and response payloads to s3://<artifacts bucket>/data-capture (KMS-encrypted), for model monitoring."
  default     = false

  validation {
    condition     = !(var.enable_data_capture && var.mode == "serverless")
    error_message = "Serverless endpoints do not support data capture: set enable_data_capture = false or use mode online/async."
  }
}

variable "initial_instance_count" {
  type        = number
  description = "Instances launched when the endpoint is created (online and async)."
  default     = 1

  validation {
    condition     = var.initial_instance_count >= 1 && floor(var.initial_instance_count) == var.initial_instance_count
    error_message = "initial_instance_count must be a whole number >= 1."
  }
}

variable "instance_type" {
  type        = string
  description = "ML instance type for online and async endpoints; null for serverless (which has none). Passed straight to the production variant so policy scanners can read it."
  default     = "ml.m6i.large"

  validation {
    condition     = var.instance_type == null || can(regex("^ml\\.[a-z0-9-]+\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be a SageMaker ML instance type such as ml.m6i.large."
  }

  validation {
    condition     = (var.mode == "serverless") == (var.instance_type == null)
    error_message = "Set instance_type = null for mode serverless, and an ML instance type for online and async."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for the endpoint storage volume, data capture, async output and (by default) logs and SNS."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "latency_alarm_ms" {
  type        = number
  description = "Alarm when model latency (p95; average for async) exceeds this many milliseconds."
  default     = 500

  validation {
    condition     = var.latency_alarm_ms > 0
    error_message = "latency_alarm_ms must be greater than 0."
  }
}

variable "log_kms_key_arn" {
  type        = string
  description = "KMS key for the endpoint log group; its key policy must allow CloudWatch Logs. Null means kms_key_arn."
  default     = null
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the endpoint log group in days."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (e.g. 365, 731, 1827, 3653)."
  }
}

variable "mode" {
  type        = string
  description = "Inference mode: online (real-time instances), serverless, or async (queued, scales to zero)."
  default     = "online"

  validation {
    condition     = contains(["online", "serverless", "async"], var.mode)
    error_message = "mode must be one of online, serverless, async."
  }
}

variable "model_data_url" {
  type        = string
  description = "S3 URI of the model artifact (model.tar.gz). Null for images that bundle the model."
  default     = null

  validation {
    condition     = var.model_data_url == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$", var.model_data_url))
    error_message = "model_data_url must be an S3 object URI such as s3://my-artifacts/training/job/output/model.tar.gz."
  }
}

variable "model_image" {
  type        = string
  description = "Inference container image URI. Null (a fresh project without a trained model) creates no model, endpoint configuration, endpoint, autoscaling or endpoint alarms."
  default     = null
}

variable "name" {
  type        = string
  description = "Prefix for resource names and the endpoint name, e.g. \"fraud-scoring-dev\"."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens, not starting or ending with a hyphen."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups for the model containers' VPC interfaces; required when subnet_ids is set."
  default     = []
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) == 0 || length(var.security_group_ids) > 0
    error_message = "security_group_ids must not be empty when subnet_ids is set."
  }
}

variable "serverless" {
  type = object({
    memory_size_mb  = optional(number, 2048)
    max_concurrency = optional(number, 5)
  })
  description = "Serverless settings (mode = serverless)."
  default     = {}
  nullable    = false

  validation {
    condition     = contains([1024, 2048, 3072, 4096, 5120, 6144], var.serverless.memory_size_mb)
    error_message = "serverless.memory_size_mb must be one of 1024, 2048, 3072, 4096, 5120, 6144."
  }

  validation {
    condition     = var.serverless.max_concurrency >= 1 && var.serverless.max_concurrency <= 200
    error_message = "serverless.max_concurrency must be between 1 and 200."
  }
}

variable "sns_kms_key_arn" {
  type        = string
  description = "KMS key for the SNS topics; its key policy must let cloudwatch.amazonaws.com use it for alarm notifications. Null means kms_key_arn."
  default     = null
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets for the model containers (online and async). Empty runs the model outside your VPC. Serverless endpoints do not support VPC configuration."
  default     = []
  nullable    = false

  validation {
    condition     = !(var.mode == "serverless" && length(var.subnet_ids) > 0)
    error_message = "Serverless endpoints do not support VPC configuration: set subnet_ids = [] or use mode online/async."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource."
  default     = {}
  nullable    = false
}
