# Plans the aggregate root with a mocked provider: the modules compose, and the day-0 gate holds
# across module boundaries (no model until model_image is set).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
      arn        = "arn:aws:iam::123456789012:root"
    }
  }
  mock_data "aws_region" {
    defaults = {
      name = "us-west-2"
      id   = "us-west-2"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }
}

mock_provider "aws" {
  alias = "dr"
}

run "day_zero_creates_no_model" {
  command = plan

  assert {
    condition     = module.endpoint.model_created == false && module.endpoint.endpoint_name == null
    error_message = "Without model_image the endpoint module must create no model or endpoint."
  }

  assert {
    condition     = length(module.network.public_subnet_ids) == 2 && length(module.network.private_subnet_ids) == 2
    error_message = "NAT per AZ: one public and one private subnet per AZ."
  }
}

run "model_supplied_creates_the_endpoint" {
  command = plan

  variables {
    model_image    = "123456789012.dkr.ecr.us-west-2.amazonaws.com/mlgen-agg-serving:1"
    model_data_url = "s3://mlgen-agg-artifacts/models/model.tar.gz"
  }

  assert {
    condition     = module.endpoint.model_created == true
    error_message = "With model_image set the endpoint module must create the model and endpoint."
  }
}
