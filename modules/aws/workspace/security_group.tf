# Created only when the caller passes no security_group_ids.

data "aws_vpc" "this" {
  count = local.create_security_group && var.vpc_cidr_block == null ? 1 : 0

  id = var.vpc_id
}

locals {
  vpc_cidr_block = local.create_security_group ? coalesce(var.vpc_cidr_block, try(data.aws_vpc.this[0].cidr_block, null)) : null
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:Attached to the SageMaker Studio domain (default_user_settings, default_space_settings, domain_settings); checkov's connection list has no aws_sagemaker_domain. [owner=mlgen-modules expires=2027-12-01]
  count = local.create_security_group ? 1 : 0

  name_prefix = "${var.name}-studio-"
  description = "SageMaker Studio ${var.name}: no inbound, HTTPS egress inside the VPC only"
  vpc_id      = var.vpc_id

  tags = merge(local.tags, { Name = "${var.name}-studio" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "https_vpc" {
  count = local.create_security_group ? 1 : 0

  security_group_id = aws_security_group.this[0].id
  description       = "HTTPS to VPC endpoints and services inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = local.vpc_cidr_block

  tags = merge(local.tags, { Name = "${var.name}-studio-https-vpc" })
}

resource "aws_vpc_security_group_egress_rule" "https_prefix_list" {
  count = local.create_security_group ? length(var.https_egress_prefix_list_ids) : 0

  security_group_id = aws_security_group.this[0].id
  description       = "HTTPS to an AWS service prefix list reached through a gateway endpoint (e.g. S3)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = var.https_egress_prefix_list_ids[count.index]

  tags = merge(local.tags, { Name = "${var.name}-studio-https-pl-${count.index}" })
}
