# Every variable has a value here: Checkov silently skips checks that depend on unset variables.
account_id          = null
assume_role_arn     = null
cost_center         = "CC-9000"
data_classification = "confidential"
dr_region           = null
environment         = "dev"
model_data_url      = null
model_image         = null
owner               = "genai@example.com"
project             = "support-copilot"
region              = "us-west-2"
