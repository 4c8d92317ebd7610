mock_provider "aws" {
  override_during = plan

  mock_data "aws_region" {
    defaults = {
      id   = "eu-west-1"
      name = "eu-west-1"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vpc-flow-logs/mlgen-net-test"
    }
  }

  # Empty mock blocks make the mock provider generate computed values (ids) during plan.
  mock_resource "aws_default_security_group" {}
  mock_resource "aws_eip" {}
  mock_resource "aws_internet_gateway" {}
  mock_resource "aws_nat_gateway" {}
  mock_resource "aws_route_table" {}
  mock_resource "aws_security_group" {}
  mock_resource "aws_subnet" {}
  mock_resource "aws_vpc" {}
  mock_resource "aws_vpc_endpoint" {}

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/mlgen-net-test-vpc-flow-logs"
    }
  }
}

variables {
  name                 = "mlgen-net-test"
  azs                  = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  flow_log_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

# ------------------------------------------------------------------ isolated (default)

run "isolated_default_has_no_internet_path" {
  command = plan

  assert {
    condition     = length(aws_nat_gateway.this) == 0 && length(aws_eip.nat) == 0
    error_message = "isolated must not create NAT gateways or EIPs"
  }

  assert {
    condition     = length(aws_internet_gateway.this) == 0
    error_message = "isolated must not create an internet gateway"
  }

  assert {
    condition     = length(aws_subnet.public) == 0 && length(output.public_subnet_ids) == 0
    error_message = "isolated must not create public subnets"
  }

  assert {
    condition     = length(aws_route.private_nat) == 0 && length(aws_route.public_internet) == 0
    error_message = "isolated must not create default routes"
  }

  assert {
    condition     = length(aws_subnet.private) == 3 && length(output.private_subnet_ids) == 3
    error_message = "one private subnet per AZ expected"
  }

  assert {
    condition     = alltrue([for s in aws_subnet.private : s.map_public_ip_on_launch == false])
    error_message = "private subnets must not map public IPs"
  }

  assert {
    condition     = length(distinct([for s in aws_subnet.private : s.cidr_block])) == 3 && alltrue([for s in aws_subnet.private : cidrhost(s.cidr_block, 0) == cidrhost(cidrsubnet("10.40.0.0/16", 3, index(var.azs, s.availability_zone)), 0)])
    error_message = "private subnets must be distinct /19 blocks of the VPC, one per AZ index"
  }

  assert {
    condition     = aws_vpc.this.enable_dns_support == true && aws_vpc.this.enable_dns_hostnames == true
    error_message = "VPC must enable DNS support and hostnames (needed for private DNS on endpoints)"
  }
}

run "mlflow_endpoint_uses_the_sagemaker_service_prefix" {
  command = plan

  variables {
    interface_endpoints = ["sts", "sagemaker.experiments"]
  }

  assert {
    condition     = aws_vpc_endpoint.interface["sagemaker.experiments"].service_name == "aws.sagemaker.eu-west-1.experiments"
    error_message = "The MLflow (SageMaker experiments) endpoint service is aws.sagemaker.<region>.experiments."
  }

  assert {
    condition     = aws_vpc_endpoint.interface["sts"].service_name == "com.amazonaws.eu-west-1.sts"
    error_message = "Other services keep the com.amazonaws.<region>.<svc> name."
  }
}

run "interface_endpoints_in_one_az_outside_production" {
  command = plan

  variables {
    interface_endpoints         = ["sts", "logs"]
    interface_endpoint_az_count = 1
  }

  assert {
    condition     = alltrue([for ep in aws_vpc_endpoint.interface : length(ep.subnet_ids) == 1 && contains(ep.subnet_ids, aws_subnet.private["eu-west-1a"].id)])
    error_message = "interface_endpoint_az_count = 1 must place each endpoint in the first AZ's private subnet only"
  }
}

run "interface_endpoint_az_count_above_azs_is_rejected" {
  command = plan

  variables {
    interface_endpoint_az_count = 4
  }

  expect_failures = [var.interface_endpoint_az_count]
}

run "isolated_has_interface_endpoints" {
  command = plan

  assert {
    condition     = length(aws_vpc_endpoint.interface) == 7
    error_message = "all default interface endpoints must be created when isolation != none"
  }

  assert {
    condition     = aws_vpc_endpoint.interface["sagemaker.api"].service_name == "com.amazonaws.eu-west-1.sagemaker.api"
    error_message = "interface endpoint service name must be com.amazonaws.<region>.<svc>"
  }

  assert {
    condition     = alltrue([for ep in aws_vpc_endpoint.interface : ep.private_dns_enabled == true && ep.vpc_endpoint_type == "Interface" && length(ep.subnet_ids) == 3])
    error_message = "interface endpoints must use private DNS in all private subnets"
  }

  assert {
    condition     = length(aws_security_group.endpoints) == 1 && output.endpoint_security_group_id != null
    error_message = "endpoint security group must exist when isolation != none"
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.endpoints_https[0].from_port == 443 && aws_vpc_security_group_ingress_rule.endpoints_https[0].to_port == 443 && aws_vpc_security_group_ingress_rule.endpoints_https[0].ip_protocol == "tcp"
    error_message = "endpoint SG must allow only tcp/443"
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.endpoints_https[0].cidr_ipv4 == "10.40.0.0/16"
    error_message = "endpoint SG must allow 443 from the VPC CIDR only"
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.endpoints_https[0].description != null && aws_vpc_security_group_ingress_rule.endpoints_https[0].description != "" && aws_security_group.endpoints[0].description != ""
    error_message = "endpoint SG and its rule need descriptions"
  }

  assert {
    condition     = aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.s3.service_name == "com.amazonaws.eu-west-1.s3" && length(aws_vpc_endpoint.s3.route_table_ids) == 3
    error_message = "S3 gateway endpoint must be attached to every private route table"
  }
}

run "flow_logs_and_default_sg" {
  command = plan

  assert {
    condition     = aws_flow_log.this.traffic_type == "ALL" && aws_flow_log.this.log_destination_type == "cloud-watch-logs"
    error_message = "VPC flow log must capture ALL traffic to CloudWatch Logs"
  }

  assert {
    condition     = aws_flow_log.this.log_destination == aws_cloudwatch_log_group.flow_logs.arn && aws_flow_log.this.iam_role_arn == aws_iam_role.flow_logs.arn
    error_message = "flow log must deliver to the module's log group with the module's role"
  }

  assert {
    condition     = aws_cloudwatch_log_group.flow_logs.kms_key_id == var.flow_log_kms_key_arn
    error_message = "flow log group must be encrypted with flow_log_kms_key_arn"
  }

  assert {
    condition     = aws_cloudwatch_log_group.flow_logs.retention_in_days == 365
    error_message = "flow log retention must default to 365 days"
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.flow_logs.policy).Statement[0].Resource == [
      aws_cloudwatch_log_group.flow_logs.arn,
      "${aws_cloudwatch_log_group.flow_logs.arn}:*",
    ]
    error_message = "flow log role policy must be scoped to the flow log group"
  }

  assert {
    condition     = length(jsondecode(aws_iam_role_policy.flow_logs.policy).Statement) == 1 && !contains(jsondecode(aws_iam_role_policy.flow_logs.policy).Statement[0].Action, "*")
    error_message = "flow log role policy must list explicit actions"
  }

  assert {
    condition     = jsondecode(aws_iam_role.flow_logs.assume_role_policy).Statement[0].Principal.Service == "vpc-flow-logs.amazonaws.com" && jsondecode(aws_iam_role.flow_logs.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    error_message = "flow log role must be assumable only by VPC Flow Logs of this account"
  }

  assert {
    condition     = aws_default_security_group.this.vpc_id == aws_vpc.this.id && length(coalesce(aws_default_security_group.this.ingress, [])) == 0 && length(coalesce(aws_default_security_group.this.egress, [])) == 0
    error_message = "default security group must be adopted with no ingress/egress rules"
  }
}

# ------------------------------------------------------------------ private + NAT

run "private_single_nat" {
  command = plan

  variables {
    isolation    = "private"
    nat_gateways = "single"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_eip.nat) == 1 && length(output.nat_gateway_ids) == 1
    error_message = "single must create exactly one NAT gateway"
  }

  assert {
    condition     = length(aws_internet_gateway.this) == 1
    error_message = "NAT needs an internet gateway"
  }

  assert {
    condition     = length(aws_subnet.public) == 3 && alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch == false])
    error_message = "public subnets (one per AZ) must exist and not map public IPs on launch"
  }

  assert {
    condition     = length(aws_route.private_nat) == 3 && length(distinct([for r in aws_route.private_nat : r.nat_gateway_id])) == 1
    error_message = "every private route table must route 0.0.0.0/0 through the single NAT"
  }

  assert {
    condition     = length(aws_vpc_endpoint.interface) == 7 && length(aws_security_group.endpoints) == 1
    error_message = "private must still create the interface endpoints"
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : !contains([for p in aws_subnet.private : p.cidr_block], s.cidr_block)])
    error_message = "public subnet CIDRs must not collide with private ones"
  }
}

run "private_per_az_nat" {
  command = plan

  variables {
    isolation    = "private"
    nat_gateways = "per_az"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == length(var.azs) && length(aws_eip.nat) == length(var.azs)
    error_message = "per_az must create one NAT gateway per AZ"
  }

  assert {
    condition     = alltrue([for i, az in var.azs : aws_nat_gateway.this[i].subnet_id == aws_subnet.public[az].id])
    error_message = "each NAT gateway must sit in the public subnet of its own AZ"
  }

  assert {
    condition     = length(distinct([for r in aws_route.private_nat : r.nat_gateway_id])) == length(var.azs)
    error_message = "each private route table must use its own AZ's NAT gateway"
  }
}

run "private_without_nat" {
  command = plan

  variables {
    isolation    = "private"
    nat_gateways = "none"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 0 && length(aws_internet_gateway.this) == 0 && length(aws_subnet.public) == 0
    error_message = "nat_gateways = none must not create public subnets, IGW or NAT"
  }

  assert {
    condition     = length(aws_vpc_endpoint.interface) == 7
    error_message = "private must create the interface endpoints"
  }
}

# ------------------------------------------------------------------ isolation none

run "none_has_no_interface_endpoints" {
  command = plan

  variables {
    isolation = "none"
  }

  assert {
    condition     = length(aws_vpc_endpoint.interface) == 0 && length(output.interface_endpoint_ids) == 0
    error_message = "isolation = none must not create interface endpoints"
  }

  assert {
    condition     = length(aws_security_group.endpoints) == 0 && output.endpoint_security_group_id == null
    error_message = "isolation = none must not create the endpoint security group"
  }

  assert {
    condition     = aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway"
    error_message = "the S3 gateway endpoint must exist even with isolation = none"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 0 && length(aws_subnet.public) == 0
    error_message = "isolation = none with nat none is private subnets only"
  }
}

run "none_with_single_nat" {
  command = plan

  variables {
    isolation    = "none"
    nat_gateways = "single"
  }

  assert {
    condition     = length(aws_vpc_endpoint.interface) == 0 && length(aws_nat_gateway.this) == 1
    error_message = "isolation = none with single NAT: one NAT, no interface endpoints"
  }
}

run "custom_endpoints_and_retention" {
  command = plan

  variables {
    isolation               = "private"
    interface_endpoints     = ["sts", "logs"]
    flow_log_retention_days = 731
  }

  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["sts", "logs"])
    error_message = "interface endpoints must follow var.interface_endpoints"
  }

  assert {
    condition     = aws_cloudwatch_log_group.flow_logs.retention_in_days == 731
    error_message = "flow log retention must follow flow_log_retention_days"
  }
}

# ------------------------------------------------------------------ validation

run "isolated_with_nat_is_rejected" {
  command = plan

  variables {
    isolation    = "isolated"
    nat_gateways = "single"
  }

  expect_failures = [var.nat_gateways]
}

run "isolated_with_per_az_nat_is_rejected" {
  command = plan

  variables {
    nat_gateways = "per_az"
  }

  expect_failures = [var.nat_gateways]
}

run "single_az_is_rejected" {
  command = plan

  variables {
    azs = ["eu-west-1a"]
  }

  expect_failures = [var.azs]
}

run "bad_cidr_is_rejected" {
  command = plan

  variables {
    cidr_block = "10.40.0.0/26"
  }

  expect_failures = [var.cidr_block]
}

run "bad_retention_is_rejected" {
  command = plan

  variables {
    flow_log_retention_days = 100
  }

  expect_failures = [var.flow_log_retention_days]
}

run "kms_alias_is_rejected" {
  command = plan

  variables {
    flow_log_kms_key_arn = "alias/logs"
  }

  expect_failures = [var.flow_log_kms_key_arn]
}

run "zone_ids_place_subnets_by_id" {
  command = plan

  variables {
    azs = ["euw1-az1", "euw1-az3"]
  }

  assert {
    condition     = alltrue([for az, s in aws_subnet.private : s.availability_zone_id == az])
    error_message = "Zone ids must be passed as availability_zone_id (letters map to different zones per account)."
  }
}

# ------------------------------------------------------------------ endpoint service names

run "sagemaker_owned_endpoints_use_their_own_prefix" {
  command = plan

  variables {
    interface_endpoints = ["sagemaker.api", "sagemaker.studio", "sagemaker.experiments", "sts"]
  }

  assert {
    condition     = aws_vpc_endpoint.interface["sagemaker.studio"].service_name == "aws.sagemaker.eu-west-1.studio"
    error_message = "Studio's endpoint is aws.sagemaker.<region>.studio (com.amazonaws... fails with InvalidServiceName)"
  }

  assert {
    condition     = aws_vpc_endpoint.interface["sagemaker.experiments"].service_name == "aws.sagemaker.eu-west-1.experiments"
    error_message = "MLflow's endpoint is aws.sagemaker.<region>.experiments"
  }

  assert {
    condition     = aws_vpc_endpoint.interface["sagemaker.api"].service_name == "com.amazonaws.eu-west-1.sagemaker.api"
    error_message = "the SageMaker API endpoint is com.amazonaws.<region>.sagemaker.api"
  }
}

run "unknown_endpoint_service_is_refused" {
  command = plan

  variables {
    interface_endpoints = ["sagemaker.studo"]
  }

  expect_failures = [aws_vpc_endpoint.interface]
}
