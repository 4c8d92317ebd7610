# Offline tests of the prod root: mocked AWS provider, plan only. Run with
#   terraform -chdir=infra/envs/prod init -backend=false && terraform -chdir=infra/envs/prod test
# They check the decisions recorded in docs/decisions/ still hold in the code.

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
  mock_data "aws_availability_zones" {
    defaults = {
      names    = ["mock-1a", "mock-1b", "mock-1c"]
      zone_ids = ["mck1-az1", "mck1-az2", "mck1-az3"]
    }
  }
  mock_data "aws_ec2_instance_type_offerings" {
    defaults = {
      locations = ["mck1-az1", "mck1-az2", "mck1-az3"]
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

run "decisions_hold" {
  command = plan

  assert {
    condition     = alltrue([for k in ["project", "environment", "cost-center", "data-classification", "managed-by"] : contains(keys(local.tags), k)])
    error_message = "Every resource must carry the cost-allocation and classification tags."
  }

  assert {
    condition     = length(module.network.private_subnet_ids) == 2
    error_message = "One private subnet per availability zone."
  }

  assert {
    condition     = length(module.network.public_subnet_ids) == 2
    error_message = "Public subnets exist only when NAT egress was decided (docs/decisions: network)."
  }

  assert {
    condition     = module.endpoint.model_created == false
    error_message = "Day 0: with no model_image the endpoint module must create no model, so the first apply succeeds."
  }
}
