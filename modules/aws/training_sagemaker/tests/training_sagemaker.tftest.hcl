mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
  mock_data "aws_vpc" {
    defaults = { cidr_block = "10.99.0.0/16" }
  }
  mock_data "aws_prefix_list" {
    defaults = { id = "pl-6da54004" }
  }
  mock_resource "aws_security_group" {
    defaults = { id = "sg-0123456789abcdef0" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/fraud-scoring-dev-sagemaker-training" }
  }
}

variables {
  name                 = "fraud-scoring-dev"
  data_bucket_arn      = "arn:aws:s3:::fraud-scoring-dev-data"
  artifacts_bucket_arn = "arn:aws:s3:::fraud-scoring-dev-artifacts"
  kms_key_arns         = ["arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-00000000000d", "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-00000000000a"]
  ecr_repository_arns  = ["arn:aws:ecr:eu-west-1:123456789012:repository/fraud-scoring-dev-training"]
  vpc_id               = "vpc-0abc"
  vpc_cidr_block       = "10.40.0.0/16"
  subnet_ids           = ["subnet-0aaa", "subnet-0bbb"]
  log_kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-00000000000c"
  tags                 = { project = "fraud-scoring" }
}

run "role_trusts_only_sagemaker_in_this_account" {
  command = plan

  assert {
    condition     = length(jsondecode(aws_iam_role.this.assume_role_policy).Statement) == 1
    error_message = "Trust policy must have a single statement."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal == { Service = "sagemaker.amazonaws.com" } &&
      jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Action == "sts:AssumeRole"
    )
    error_message = "Only sagemaker.amazonaws.com may assume the role."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    error_message = "Trust policy must carry the aws:SourceAccount confused-deputy condition."
  }
}

run "policy_is_scoped_to_inputs" {
  command = plan

  assert {
    condition = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      [for a in flatten([s.Action]) : !strcontains(a, "*")]
    ]))
    error_message = "No statement may use a wildcard action."
  }

  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Effect == "Allow"])
    error_message = "Unexpected statement effect."
  }

  assert {
    # Resource "*" only for actions without resource-level permissions, each pinned to the region.
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      alltrue([for a in flatten([s.Action]) : contains([
        "ecr:GetAuthorizationToken", "cloudwatch:PutMetricData", "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
      ], a)]) && try(s.Condition.StringEquals["aws:RequestedRegion"] == "eu-west-1", false)
      if contains(flatten([s.Resource]), "*")
    ])
    error_message = "Resource \"*\" is only allowed for the documented actions without resource-level permissions, with a region condition."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "DataRead"][0].Action == ["s3:GetObject"] &&
      [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "DataRead"][0].Resource == ["arn:aws:s3:::fraud-scoring-dev-data/*"] &&
      [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "DataList"][0].Resource == ["arn:aws:s3:::fraud-scoring-dev-data"]
    )
    error_message = "Data bucket access must be read-only and scoped to the data bucket."
  }

  assert {
    # No statement other than DataRead/DataList may touch the data bucket (read-only data).
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      !anytrue([for r in flatten([s.Resource]) : startswith(r, "arn:aws:s3:::fraud-scoring-dev-data")])
      if !contains(["DataRead", "DataList"], s.Sid)
    ])
    error_message = "The data bucket must not be writable."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "ArtifactsReadWrite"][0].Resource == ["arn:aws:s3:::fraud-scoring-dev-artifacts/*"] &&
      [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "ArtifactsList"][0].Resource == ["arn:aws:s3:::fraud-scoring-dev-artifacts"]
    )
    error_message = "Artifacts access must be scoped to the artifacts bucket."
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      tolist(s.Resource) == var.kms_key_arns if anytrue([for a in s.Action : startswith(a, "kms:")])
    ])
    error_message = "KMS permissions must be scoped to kms_key_arns."
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "KmsGrantForVolumes"][0].Condition.Bool["kms:GrantIsForAWSResource"] == "true"
    error_message = "kms:CreateGrant must be limited to grants for AWS resources."
  }

  assert {
    condition     = tolist([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "EcrPull"][0].Resource) == var.ecr_repository_arns
    error_message = "ECR pulls must be scoped to ecr_repository_arns."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "TrainingLogs"][0].Resource == [
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:*",
    ]
    error_message = "Log permissions must be scoped to the training log group."
  }

  assert {
    condition     = !contains([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "TrainingLogs"][0].Action, "logs:CreateLogGroup")
    error_message = "The role must not create log groups when the module manages the group."
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "TrainingMetrics"][0].Condition.StringEquals["cloudwatch:namespace"] == ["/aws/sagemaker/TrainingJobs", "/aws/sagemaker/ProcessingJobs"]
    error_message = "PutMetricData must be limited to the SageMaker training namespace."
  }

  assert {
    condition = toset([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "VpcCreateEni"][0].Resource) == toset([
      "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0aaa",
      "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0bbb",
      "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0",
      "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
    ])
    error_message = "ENIs may only be created in the given subnets with the module's security group."
  }

  assert {
    condition     = try([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "VpcManageEni"][0].Condition.ArnEquals["ec2:Vpc"], null) == "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0abc"
    error_message = "ENI management must be pinned to the project VPC."
  }
}

run "no_ecr_statement_without_repositories" {
  command = plan

  variables {
    ecr_repository_arns = []
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "EcrPull"]) == 0
    error_message = "No ECR pull statement (empty Resource is invalid) without repositories."
  }
}

run "security_group_allows_distributed_training_and_nothing_public" {
  command = plan

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.self.ip_protocol == "-1" &&
      aws_vpc_security_group_ingress_rule.self.referenced_security_group_id == aws_security_group.this.id &&
      aws_vpc_security_group_ingress_rule.self.security_group_id == aws_security_group.this.id
    )
    error_message = "The security group must allow all traffic from itself (inter-node traffic of distributed jobs)."
  }

  assert {
    condition = (
      aws_vpc_security_group_egress_rule.self.ip_protocol == "-1" &&
      aws_vpc_security_group_egress_rule.self.referenced_security_group_id == aws_security_group.this.id
    )
    error_message = "The security group must allow all traffic to itself."
  }

  assert {
    condition = (
      aws_vpc_security_group_egress_rule.vpc_https.cidr_ipv4 == "10.40.0.0/16" &&
      aws_vpc_security_group_egress_rule.vpc_https.from_port == 443 &&
      aws_vpc_security_group_egress_rule.vpc_https.to_port == 443 &&
      aws_vpc_security_group_egress_rule.vpc_https.ip_protocol == "tcp"
    )
    error_message = "Egress to the VPC must be HTTPS only."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.s3_https.prefix_list_id == "pl-6da54004" && aws_vpc_security_group_egress_rule.s3_https.from_port == 443
    error_message = "Egress to S3 must go to the S3 prefix list on 443."
  }

  assert {
    condition = alltrue([for r in [aws_vpc_security_group_egress_rule.self, aws_vpc_security_group_egress_rule.vpc_https, aws_vpc_security_group_egress_rule.s3_https, aws_vpc_security_group_ingress_rule.self] :
      r.cidr_ipv4 != "0.0.0.0/0" && r.cidr_ipv6 == null
    ])
    error_message = "No rule may open the group to the internet."
  }
}

run "vpc_cidr_looked_up_when_not_given" {
  command = plan

  variables {
    vpc_cidr_block = null
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.vpc_https.cidr_ipv4 == "10.99.0.0/16"
    error_message = "The VPC CIDR must come from the aws_vpc lookup when vpc_cidr_block is null."
  }
}

run "log_group_encrypted_with_retention" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_log_group.this[0].name == "/aws/sagemaker/TrainingJobs" &&
      aws_cloudwatch_log_group.this[0].kms_key_id == var.log_kms_key_arn &&
      aws_cloudwatch_log_group.this[0].retention_in_days == 365
    )
    error_message = "The training log group must be KMS-encrypted with the default 365-day retention."
  }
}

run "log_group_not_managed" {
  command = plan

  variables {
    create_log_group = false
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.this) == 0 && output.log_group_name == "/aws/sagemaker/TrainingJobs"
    error_message = "create_log_group = false must not create the shared group."
  }

  assert {
    condition     = contains([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "TrainingLogs"][0].Action, "logs:CreateLogGroup")
    error_message = "SageMaker needs logs:CreateLogGroup when the module does not create the group."
  }
}

run "outputs_follow_interface" {
  command = plan

  assert {
    condition     = output.output_path == "s3://fraud-scoring-dev-artifacts/training" && output.checkpoint_path == "s3://fraud-scoring-dev-artifacts/checkpoints"
    error_message = "output_path/checkpoint_path must be built from the artifacts bucket name."
  }

  assert {
    condition     = output.kms_key_arn == var.kms_key_arns[0]
    error_message = "kms_key_arn must be the first of kms_key_arns."
  }

  assert {
    condition     = output.subnet_ids == var.subnet_ids && output.security_group_id == "sg-0123456789abcdef0"
    error_message = "subnet_ids and security_group_id outputs must be passed through."
  }

  assert {
    condition     = output.enable_network_isolation == true
    error_message = "Network isolation must default to true."
  }
}

run "rejects_empty_kms_keys" {
  command = plan

  variables {
    kms_key_arns = []
  }

  expect_failures = [var.kms_key_arns]
}

run "rejects_no_subnets" {
  command = plan

  variables {
    subnet_ids = []
  }

  expect_failures = [var.subnet_ids]
}

run "rejects_bad_retention" {
  command = plan

  variables {
    log_retention_days = 100
  }

  expect_failures = [var.log_retention_days]
}
