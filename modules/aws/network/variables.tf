variable "azs" {
  type        = list(string)
  description = "Availability zones to spread the subnets over (2 to 6): zone ids such as [\"euw1-az1\", \"euw1-az2\"] (the same physical zones in every account; generated roots pick them from the zones offering every chosen instance type) or zone names such as [\"eu-west-1a\", \"eu-west-1b\"] (which map to different zones per account). One private subnet (and, with NAT, one public subnet) is created per AZ."
  nullable    = false

  validation {
    condition     = length(var.azs) >= 2 && length(var.azs) <= 6
    error_message = "Pass between 2 and 6 availability zones in azs (at least 2 for high availability)."
  }

  validation {
    condition     = length(distinct(var.azs)) == length(var.azs)
    error_message = "The azs list contains duplicates; list each availability zone once."
  }
}

variable "cidr_block" {
  type        = string
  description = "IPv4 CIDR block of the VPC. Private subnets are /(prefix+3) each; public subnets are carved from the last /(prefix+3) block."
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && can(regex("^[0-9.]+/(1[6-9]|2[0-2])$", var.cidr_block))
    error_message = "cidr_block must be a valid IPv4 CIDR with a prefix length between /16 and /22 (e.g. \"10.40.0.0/16\")."
  }
}

variable "flow_log_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key (the \"logs\" key) that encrypts the VPC flow log CloudWatch log group. Its key policy must allow logs.<region>.amazonaws.com."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.flow_log_kms_key_arn))
    error_message = "flow_log_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias or key id."
  }
}

variable "flow_log_retention_days" {
  type        = number
  description = "Retention in days of the VPC flow log group. Keep 365 or more for audit/compliance."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "interface_endpoint_az_count" {
  type        = number
  description = "How many of the AZs (the first N of azs) get an interface endpoint ENI; null = all. One is enough outside production (endpoints bill per AZ-hour); an AZ outage then cuts private AWS API access."
  default     = null

  validation {
    condition     = var.interface_endpoint_az_count == null || try(var.interface_endpoint_az_count >= 1 && var.interface_endpoint_az_count <= length(var.azs) && floor(var.interface_endpoint_az_count) == var.interface_endpoint_az_count, false)
    error_message = "interface_endpoint_az_count must be null (all AZs) or a whole number from 1 to the number of azs."
  }
}

variable "interface_endpoints" {
  type        = set(string)
  description = "AWS services to reach through interface VPC endpoints, by short name (e.g. \"sagemaker.api\", \"sagemaker.studio\"); each must be in local.endpoint_service_names (endpoints.tf), which gives its full service name. Only created when isolation != \"none\"."
  default     = ["sagemaker.api", "sagemaker.runtime", "ecr.api", "ecr.dkr", "sts", "logs", "kms"]
  nullable    = false

  validation {
    condition     = alltrue([for s in var.interface_endpoints : can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", s))])
    error_message = "Each interface_endpoints entry must be a service suffix such as \"sagemaker.api\" or \"ecr.dkr\" (lowercase letters, digits, dots, dashes)."
  }
}

variable "isolation" {
  type        = string
  description = "Network isolation level: \"isolated\" (no internet path, AWS services through VPC endpoints only), \"private\" (endpoints plus optional NAT egress) or \"none\" (no interface endpoints)."
  default     = "isolated"

  validation {
    condition     = contains(["none", "private", "isolated"], var.isolation)
    error_message = "isolation must be one of \"none\", \"private\" or \"isolated\"."
  }
}

variable "name" {
  type        = string
  description = "Prefix for resource names, e.g. \"fraud-scoring-dev\"."

  validation {
    condition     = can(regex("^[a-z0-9-]{3,40}$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and dashes."
  }
}

variable "nat_gateways" {
  type        = string
  description = "NAT gateways for outbound internet from private subnets: \"none\", \"single\" (one, cheaper, AZ-dependent) or \"per_az\" (one per AZ, highly available). Public subnets and an internet gateway exist only when this is not \"none\"."
  default     = "none"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat_gateways)
    error_message = "nat_gateways must be one of \"none\", \"single\" or \"per_az\"."
  }

  validation {
    condition     = !(var.isolation == "isolated" && var.nat_gateways != "none")
    error_message = "isolation = \"isolated\" allows no internet path: set nat_gateways = \"none\", or use isolation = \"private\" if you need NAT egress."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource's tags."
  default     = {}
  nullable    = false
}
