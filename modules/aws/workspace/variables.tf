variable "artifacts_bucket_arn" {
  type        = string
  description = "ARN of the artifacts S3 bucket (models, notebooks output, SageMaker job output); the execution role gets read/write on it."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts_bucket_arn))
    error_message = "artifacts_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>), without a key path."
  }
}

variable "data_bucket_arn" {
  type        = string
  description = "ARN of the data S3 bucket (training data, features); the execution role gets read/write on it."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.data_bucket_arn))
    error_message = "data_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>), without a key path."
  }
}

variable "destroyable" {
  type        = bool
  description = "Delete the domain's EFS home file system (and so its ENIs) with the domain on `terraform destroy`: dev or staging. False retains it (production); delete it and its mount targets by hand before destroying the VPC."
  default     = false
}

variable "https_egress_prefix_list_ids" {
  type        = list(string)
  description = "Prefix lists the module's security group may also reach on HTTPS, typically [module.network.s3_prefix_list_id] so Studio reaches S3 through the S3 gateway endpoint (S3 addresses are outside the VPC CIDR). A list so that values unknown until apply still work."
  default     = []
  nullable    = false
}

variable "idle_timeout_minutes" {
  type        = number
  description = "Minutes of inactivity after which JupyterLab and Code Editor apps are shut down automatically (cost control)."
  default     = 60

  validation {
    condition     = var.idle_timeout_minutes >= 60 && var.idle_timeout_minutes <= 525600 && floor(var.idle_timeout_minutes) == var.idle_timeout_minutes
    error_message = "idle_timeout_minutes must be a whole number between 60 and 525600 (SageMaker's allowed range)."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the KMS key encrypting the Studio domain's EFS home volume and used by the execution role for the data/artifacts buckets."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias or key id."
  }
}

variable "name" {
  type        = string
  description = "Prefix for resource names, e.g. \"fraud-scoring-dev\". Also the Studio domain name."

  validation {
    condition     = can(regex("^[a-z0-9-]{3,40}$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and dashes."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups for Studio apps and spaces. Empty (default) makes the module create one that only allows HTTPS egress inside the VPC."
  default     = []
  nullable    = false

  validation {
    condition     = length(var.security_group_ids) <= 3
    error_message = "security_group_ids takes at most 3 security group IDs, the SageMaker domain_settings limit."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets (ideally one per AZ) the Studio domain places its network interfaces in."
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) >= 1 && length(var.subnet_ids) <= 16
    error_message = "subnet_ids must list 1 to 16 subnet IDs; pass the network module's private_subnet_ids."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource's tags."
  default     = {}
  nullable    = false
}

variable "user_profiles" {
  type        = set(string)
  description = "Studio user profile names to create (one per data scientist), e.g. [\"alice\", \"bob\"]."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for u in var.user_profiles : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", u))])
    error_message = "Each user profile name must be 1-63 letters, digits or dashes, starting and ending with a letter or digit."
  }
}

variable "vpc_cidr_block" {
  type        = string
  description = "CIDR block of the VPC (network module output vpc_cidr_block); HTTPS egress of the module's security group is limited to it. Null looks it up with data.aws_vpc (needs AWS access at plan)."
  default     = null

  validation {
    condition     = var.vpc_cidr_block == null || can(cidrhost(var.vpc_cidr_block, 0))
    error_message = "vpc_cidr_block must be an IPv4 CIDR such as \"10.40.0.0/16\", or null."
  }
}

variable "vpc_id" {
  type        = string
  description = "ID of the VPC hosting the Studio domain (network module output vpc_id)."
}

variable "vpc_only" {
  type        = bool
  description = "true (default, recommended): app_network_access_type = \"VpcOnly\", all Studio traffic goes through your VPC (endpoints/NAT), no SageMaker-managed internet access. false: \"PublicInternetOnly\", Studio apps get direct internet access from SageMaker's network; only use it for sandboxes without sensitive data."
  default     = true
  nullable    = false
}
