output "endpoint_security_group_id" {
  description = "ID of the security group on the interface VPC endpoints (HTTPS from the VPC CIDR); null when isolation = \"none\"."
  value       = local.create_interface_vpe ? aws_security_group.endpoints[0].id : null
}

output "flow_log_group_name" {
  description = "Name of the CloudWatch log group receiving the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

output "interface_endpoint_ids" {
  description = "Map of service suffix (e.g. \"sagemaker.api\") to interface VPC endpoint ID; empty when isolation = \"none\"."
  value       = { for svc, ep in aws_vpc_endpoint.interface : svc => ep.id }
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (empty when nat_gateways = \"none\")."
  value       = aws_nat_gateway.this[*].id
}

output "private_route_table_ids" {
  description = "IDs of the private route tables, in the order of var.azs."
  value       = [for az in var.azs : aws_route_table.private[az].id]
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per AZ in the order of var.azs."
  value       = [for az in var.azs : aws_subnet.private[az].id]
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, in the order of var.azs; empty when nat_gateways = \"none\"."
  value       = [for az in var.azs : aws_subnet.public[az].id if local.create_public]
}

output "s3_endpoint_id" {
  description = "ID of the S3 gateway VPC endpoint attached to the private route tables."
  value       = aws_vpc_endpoint.s3.id
}

output "s3_prefix_list_id" {
  description = "ID of the AWS-managed S3 prefix list used by the S3 gateway endpoint; allow HTTPS egress to it in security groups that must reach S3."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}
