variable "account_id" {
  type        = string
  description = "AWS account this root must run in (the provider refuses any other); null allows the caller's account."
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be null or a 12-digit AWS account id."
  }
}

variable "assume_role_arn" {
  type        = string
  description = "IAM role the providers assume in this environment's account (accounts per_environment); null uses the caller's credentials."
  default     = null
}

variable "cost_center" {
  type        = string
  description = "Cost-allocation tag value."
}

variable "data_classification" {
  type        = string
  description = "Sensitivity of the data (public, internal, confidential, restricted)."
}

variable "dr_region" {
  type        = string
  description = "Disaster-recovery region, or null."
  default     = null
}

variable "environment" {
  type        = string
  description = "Environment name."
}

variable "model_data_url" {
  type        = string
  description = "S3 URL of the model artefact (model.tar.gz) to serve; null until the first model is trained."
  default     = null
}

variable "model_image" {
  type        = string
  description = "Serving image URI; null until the first model exists, and then the endpoint is created."
  default     = null
}

variable "owner" {
  type        = string
  description = "Owning team's e-mail."
}

variable "project" {
  type        = string
  description = "Project slug."
}

variable "region" {
  type        = string
  description = "Primary AWS region."
}
