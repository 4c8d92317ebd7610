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

  name_prefix = "${var.name}-vpc-endpoints-"
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

locals {
  # Interface endpoint service names: the one table (%s is the region). Most services are
  # com.amazonaws.<region>.<service>; the SageMaker-owned ones (Studio, notebook instances, the MLflow
  # tracking servers = experiments) are aws.sagemaker.<region>.<service>, and the com.amazonaws form
  # of those fails with InvalidServiceName.
  # Sources (checked 2026-12-02): AWS PrivateLink, "AWS services that integrate with AWS PrivateLink"
  # https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html;
  # SageMaker AI "Connect to SageMaker AI Within your VPC" (studio, notebook)
  # https://docs.aws.amazon.com/sagemaker/latest/dg/interface-vpc-endpoint.html and
  # https://docs.aws.amazon.com/sagemaker/latest/dg/notebook-interface-endpoint.html;
  # "Connect to an MLflow tracking server through an interface VPC endpoint" (experiments)
  # https://docs.aws.amazon.com/sagemaker/latest/dg/mlflow-interface-endpoint.html.
  endpoint_service_names = {
    "autoscaling"                    = "com.amazonaws.%s.autoscaling"
    "ec2"                            = "com.amazonaws.%s.ec2"
    "ecr.api"                        = "com.amazonaws.%s.ecr.api"
    "ecr.dkr"                        = "com.amazonaws.%s.ecr.dkr"
    "eks"                            = "com.amazonaws.%s.eks"
    "eks-auth"                       = "com.amazonaws.%s.eks-auth"
    "elasticfilesystem"              = "com.amazonaws.%s.elasticfilesystem"
    "kms"                            = "com.amazonaws.%s.kms"
    "logs"                           = "com.amazonaws.%s.logs"
    "monitoring"                     = "com.amazonaws.%s.monitoring"
    "sagemaker.api"                  = "com.amazonaws.%s.sagemaker.api"
    "sagemaker.experiments"          = "aws.sagemaker.%s.experiments"
    "sagemaker.featurestore-runtime" = "com.amazonaws.%s.sagemaker.featurestore-runtime"
    "sagemaker.notebook"             = "aws.sagemaker.%s.notebook"
    "sagemaker.runtime"              = "com.amazonaws.%s.sagemaker.runtime"
    "sagemaker.studio"               = "aws.sagemaker.%s.studio"
    "secretsmanager"                 = "com.amazonaws.%s.secretsmanager"
    "ssm"                            = "com.amazonaws.%s.ssm"
    "ssmmessages"                    = "com.amazonaws.%s.ssmmessages"
    "sts"                            = "com.amazonaws.%s.sts"
  }
}

resource "aws_vpc_endpoint" "interface" {
  # Written with var.isolation (not a local) so policy scanners can resolve the endpoint set.
  for_each = var.isolation == "none" ? toset([]) : var.interface_endpoints

  vpc_id              = aws_vpc.this.id
  service_name        = format(lookup(local.endpoint_service_names, each.value, "unknown.%s.${each.value}"), local.region)
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  # Every AZ in production; fewer (e.g. one) elsewhere: endpoints bill per AZ-hour.
  subnet_ids         = [for az in slice(var.azs, 0, coalesce(var.interface_endpoint_az_count, length(var.azs))) : aws_subnet.private[az].id]
  security_group_ids = [aws_security_group.endpoints[0].id]

  tags = merge(local.tags, { Name = "${var.name}-${replace(each.value, ".", "-")}" })

  lifecycle {
    precondition {
      condition     = contains(keys(local.endpoint_service_names), each.value)
      error_message = "Interface endpoint \"${each.value}\" is not in the module's service-name table (local.endpoint_service_names in endpoints.tf); add it with its AWS service name."
    }
  }
}
