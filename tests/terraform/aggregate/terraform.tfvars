dr_region      = "us-east-1"
model_data_url = null
model_image    = null
region         = "us-west-2"
