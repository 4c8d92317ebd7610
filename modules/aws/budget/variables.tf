variable "activate_cost_allocation_tags" {
  type        = list(string)
  description = "Tag keys to activate as cost allocation tags (e.g. [\"project\", \"environment\"]); budgets filtered by a tag read $0 until it is active. Activation is per payer account: leave empty in member accounts of an AWS Organization and activate in the management account."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for k in var.activate_cost_allocation_tags : length(trimspace(k)) > 0 && !startswith(k, "user:")])
    error_message = "activate_cost_allocation_tags entries must be non-empty tag keys without the \"user:\" prefix."
  }
}

variable "alert_emails" {
  type        = list(string)
  description = "Email addresses that receive every budget notification and the daily cost-anomaly summary (AWS limit: 10)."
  default     = []
  nullable    = false

  validation {
    condition     = length(var.alert_emails) <= 10 && alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails must hold at most 10 valid email addresses (name@example.com)."
  }
}

variable "anomaly_monitor_type" {
  type        = string
  description = "Cost anomaly monitor to create: \"SERVICE\" (DIMENSIONAL by AWS service; AWS allows only one per account) or \"TAG\" (CUSTOM monitor on cost_allocation_tag; needs the tag activated and, per AWS, the management/payer account). Ignored when existing_anomaly_monitor_arn is set."
  default     = "SERVICE"

  validation {
    condition     = contains(["SERVICE", "TAG"], var.anomaly_monitor_type)
    error_message = "anomaly_monitor_type must be \"SERVICE\" or \"TAG\"."
  }
}

variable "anomaly_threshold_usd" {
  type        = number
  description = "Total cost impact, in USD, from which a cost anomaly is alerted (ANOMALY_TOTAL_IMPACT_ABSOLUTE >= this)."
  default     = 100

  validation {
    condition     = var.anomaly_threshold_usd > 0
    error_message = "anomaly_threshold_usd must be greater than 0."
  }
}

variable "cost_allocation_tag" {
  type = object({
    key   = string
    value = string
  })
  description = "Activated cost allocation tag that identifies the project's costs, e.g. { key = \"project\", value = \"fraud-scoring\" }. The budget only counts costs carrying this tag."
  nullable    = false

  validation {
    condition     = length(trimspace(var.cost_allocation_tag.key)) > 0 && length(trimspace(var.cost_allocation_tag.value)) > 0 && !startswith(var.cost_allocation_tag.key, "user:") && !strcontains(var.cost_allocation_tag.key, "$")
    error_message = "cost_allocation_tag needs a non-empty key (without the \"user:\" prefix and without \"$\") and a non-empty value."
  }
}

variable "enable_anomaly_detection" {
  type        = bool
  description = "Create the cost anomaly monitor (or use existing_anomaly_monitor_arn) and its subscriptions. Set false in every root but the one that owns the account's singletons: AWS allows one AWS-services monitor per account, and it already covers every environment in that account."
  default     = true
}

variable "existing_anomaly_monitor_arn" {
  type        = string
  description = "ARN of an anomaly monitor that already exists (e.g. the account's default AWS services monitor or one created by another environment). When set, no monitor is created and the subscriptions attach to this one."
  default     = null

  validation {
    condition     = var.existing_anomaly_monitor_arn == null || can(regex("^arn:aws[a-z-]*:ce::[0-9]{12}:anomalymonitor/[a-zA-Z0-9-]+$", var.existing_anomaly_monitor_arn))
    error_message = "existing_anomaly_monitor_arn must be null or an anomaly monitor ARN (arn:aws:ce::<account>:anomalymonitor/<id>)."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key ARN for the alerts topic (use the keys module's \"logs\" key). Its key policy must let budgets.amazonaws.com and costalerts.amazonaws.com use kms:GenerateDataKey* and kms:Decrypt, otherwise alerts are silently dropped. null = topic without SSE (the AWS managed alias/aws/sns key cannot be used: its policy cannot grant AWS Budgets)."
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a customer managed KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "monthly_limit_usd" {
  type        = number
  description = "Monthly cost budget in USD for the costs carrying cost_allocation_tag."

  validation {
    condition     = var.monthly_limit_usd > 0
    error_message = "monthly_limit_usd must be greater than 0."
  }
}

variable "name" {
  type        = string
  description = "Prefix for resource names, e.g. \"fraud-scoring-dev\"."

  validation {
    condition     = can(regex("^[a-z0-9-]{3,40}$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens."
  }
}

variable "project_total" {
  type = object({
    name              = string
    monthly_limit_usd = number
    tag = object({
      key   = string
      value = string
    })
  })
  description = "A second budget for the whole project (every environment), filtered on its own tag, e.g. { name = \"fraud-scoring\", monthly_limit_usd = 4000, tag = { key = \"project\", value = \"fraud-scoring\" } }. null = none (another root owns it)."
  default     = null

  validation {
    condition     = var.project_total == null || try(var.project_total.monthly_limit_usd > 0 && length(trimspace(var.project_total.tag.value)) > 0, false)
    error_message = "project_total needs monthly_limit_usd > 0 and a non-empty tag value."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of the module."
  default     = {}
  nullable    = false
}

variable "thresholds_pct" {
  type        = list(number)
  description = "Percentages of monthly_limit_usd at which ACTUAL and FORECASTED notifications fire (one of each per threshold)."
  default     = [50, 80, 100]
  nullable    = false

  validation {
    condition     = length(var.thresholds_pct) >= 1 && length(var.thresholds_pct) <= 5 && length(distinct(var.thresholds_pct)) == length(var.thresholds_pct) && alltrue([for t in var.thresholds_pct : t >= 1 && t <= 1000])
    error_message = "thresholds_pct must hold 1-5 distinct percentages between 1 and 1000 (AWS allows 10 notifications per budget: ACTUAL + FORECASTED per threshold)."
  }
}
