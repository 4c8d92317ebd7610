# S3 gateway endpoint: always present, free, keeps S3 traffic off NAT/the internet.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${local.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [for az in var.azs : aws_route_table.private[az].id]

  tags = merge(local.tags, { Name = "${var.name}-s3" })
}

# Interface endpoints (only when isolation != "none").
resource "aws_security_group" "endpoints" {
  count = local.create_interface_vpe ? 1 : 0

  name        = "${var.name}-vpc-endpoints"
  description = "Interface VPC endpoints of ${var.name}: HTTPS from inside the VPC only"
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-vpc-endpoints" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_https" {
  count = local.create_interface_vpe ? 1 : 0

  security_group_id = aws_security_group.endpoints[0].id
  description       = "HTTPS to AWS service endpoints from the VPC CIDR"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = aws_vpc.this.cidr_block

  tags = merge(local.tags, { Name = "${var.name}-vpc-endpoints-https" })
}

resource "aws_vpc_endpoint" "interface" {
  # Written with var.isolation (not a local) so policy scanners can resolve the endpoint set.
  for_each = var.isolation == "none" ? toset([]) : var.interface_endpoints

  vpc_id = aws_vpc.this.id
  # SageMaker-owned services use their own prefix: the MLflow tracking server endpoint is
  # aws.sagemaker.<region>.experiments (pass "sagemaker.experiments").
  service_name        = each.value == "sagemaker.experiments" ? "aws.sagemaker.${local.region}.experiments" : "com.amazonaws.${local.region}.${each.value}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  # Every AZ in production; fewer (e.g. one) elsewhere: endpoints bill per AZ-hour.
  subnet_ids         = [for az in slice(var.azs, 0, coalesce(var.interface_endpoint_az_count, length(var.azs))) : aws_subnet.private[az].id]
  security_group_ids = [aws_security_group.endpoints[0].id]

  tags = merge(local.tags, { Name = "${var.name}-${replace(each.value, ".", "-")}" })
}
