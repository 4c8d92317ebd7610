# Every variable has a value here: Checkov silently skips checks that depend on unset variables.
account_id          = null
assume_role_arn     = null
cost_center         = "CC-0042"
data_classification = "internal"
dr_region           = null
environment         = "dev"
model_data_url      = null
model_image         = null
owner               = "data-team@example.com"
project             = "churn-prototype"
region              = "us-east-1"
