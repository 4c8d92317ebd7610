# Every variable has a value here: Checkov silently skips checks that depend on unset variables.
account_id          = null
assume_role_arn     = null
cost_center         = "CC-1234"
data_classification = "restricted"
dr_region           = "eu-central-1"
environment         = "prod"
model_data_url      = null
model_image         = null
owner               = "ml-platform@example.com"
project             = "fraud-scoring"
region              = "eu-west-1"
