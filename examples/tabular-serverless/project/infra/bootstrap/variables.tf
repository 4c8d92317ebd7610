variable "cost_center" {
  type        = string
  description = "Cost-allocation tag value."
}

variable "data_classification" {
  type        = string
  description = "Sensitivity of the data (public, internal, confidential, restricted)."
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
  description = "AWS region of the state bucket."
}
