# Every variable has a value here: Checkov silently skips checks that depend on unset variables.
account_id          = null
assume_role_arn     = null
cost_center         = "CC-7100"
data_classification = "restricted"
dr_region           = "us-west-2"
environment         = "prod"
model_data_url      = null
model_image         = null
owner               = "imaging-ml@example.org"
project             = "radiology-triage"
region              = "us-east-1"
