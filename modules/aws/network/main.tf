data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# `id` is the region name in provider 5.x and 6.x (`name` is deprecated in 6.x).
data "aws_region" "current" {}

locals {
  region     = data.aws_region.current.id
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # AZ name -> index, used to carve stable subnet CIDRs.
  az_index = { for i, az in var.azs : az => i }
  # Zone ids (use1-az1) name the same physical zone in every account; names (us-east-1a) do not.
  az_is_id = { for az in var.azs : az => can(regex("^[a-z]+[0-9]+-az[0-9]+$", az)) }

  # Layout: the VPC is split into 8 blocks of /(prefix+3). Blocks 0..5 hold one private
  # subnet per AZ; block 7 is split again into 8 public subnets of /(prefix+6).
  private_cidrs = { for az, i in local.az_index : az => cidrsubnet(var.cidr_block, 3, i) }
  public_cidrs  = { for az, i in local.az_index : az => cidrsubnet(cidrsubnet(var.cidr_block, 3, 7), 3, i) }

  # Counts below test var.nat_gateways / var.isolation directly (not through a local) so that
  # policy scanners can resolve them: an isolated network must show no NAT or internet gateway.
  create_public        = var.nat_gateways != "none"
  create_interface_vpe = var.isolation != "none"

  # AZs that get a NAT gateway, and the NAT AZ each private route table uses.
  nat_azs = var.nat_gateways == "per_az" ? var.azs : (var.nat_gateways == "single" ? [var.azs[0]] : [])
  nat_for_az = {
    for az in var.azs : az => (var.nat_gateways == "per_az" ? az : var.azs[0])
  }

  tags = var.tags
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(local.tags, { Name = var.name })
}

# Adopt the VPC's default security group and strip all of its rules, so nothing can
# accidentally rely on its allow-all-within-group defaults.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-default-closed" })
}

# ---------------------------------------------------------------- private subnets

resource "aws_subnet" "private" {
  for_each = local.private_cidrs

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.az_is_id[each.key] ? null : each.key
  availability_zone_id    = local.az_is_id[each.key] ? each.key : null
  cidr_block              = each.value
  map_public_ip_on_launch = false

  tags = merge(local.tags, { Name = "${var.name}-private-${each.key}", Tier = "private" })
}

resource "aws_route_table" "private" {
  for_each = local.az_index

  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-private-${each.key}", Tier = "private" })
}

resource "aws_route_table_association" "private" {
  for_each = aws_subnet.private

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private[each.key].id
}

resource "aws_route" "private_nat" {
  for_each = var.nat_gateways != "none" ? local.nat_for_az : {}

  route_table_id         = aws_route_table.private[each.key].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[index(local.nat_azs, each.value)].id
}

# ---------------------------------------------------------------- public subnets + NAT (only with NAT)

resource "aws_subnet" "public" {
  for_each = var.nat_gateways != "none" ? local.public_cidrs : {}

  vpc_id               = aws_vpc.this.id
  availability_zone    = local.az_is_id[each.key] ? null : each.key
  availability_zone_id = local.az_is_id[each.key] ? each.key : null
  cidr_block           = each.value
  # NAT gateways use Elastic IPs; nothing launched here gets a public IP implicitly.
  map_public_ip_on_launch = false

  tags = merge(local.tags, { Name = "${var.name}-public-${each.key}", Tier = "public" })
}

resource "aws_internet_gateway" "this" {
  count = var.nat_gateways != "none" ? 1 : 0

  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, { Name = var.name })
}

resource "aws_route_table" "public" {
  count = var.nat_gateways != "none" ? 1 : 0

  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-public", Tier = "public" })
}

resource "aws_route" "public_internet" {
  count = var.nat_gateways != "none" ? 1 : 0

  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  for_each = aws_subnet.public

  subnet_id      = each.value.id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_eip" "nat" {
  count = var.nat_gateways == "none" ? 0 : length(local.nat_azs)

  domain = "vpc"

  tags = merge(local.tags, { Name = "${var.name}-nat-${local.nat_azs[count.index]}" })

  depends_on = [aws_internet_gateway.this]
}

# count (not for_each) with the condition on var.nat_gateways: Checkov drops a count of 0, so an
# isolated network's scan shows no NAT gateway at all.
resource "aws_nat_gateway" "this" {
  count = var.nat_gateways == "none" ? 0 : length(local.nat_azs)

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[local.nat_azs[count.index]].id

  tags = merge(local.tags, { Name = "${var.name}-${local.nat_azs[count.index]}" })

  depends_on = [aws_internet_gateway.this]
}
