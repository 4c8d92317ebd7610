# Execution environment for SageMaker training jobs: a least-privilege execution role,
# a security group for jobs that run in the project's private subnets, and the
# CloudWatch log group SageMaker writes training logs to.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_vpc" "this" {
  count = var.vpc_cidr_block == null ? 1 : 0

  id = var.vpc_id
}

data "aws_prefix_list" "s3" {
  count = var.s3_prefix_list_id == null ? 1 : 0

  name = "com.amazonaws.${data.aws_region.current.id}.s3"
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id

  artifacts_bucket_name = coalesce(var.artifacts_bucket_name, element(split(":::", var.artifacts_bucket_arn), 1))
  vpc_cidr_block        = var.vpc_cidr_block != null ? var.vpc_cidr_block : one(data.aws_vpc.this[*].cidr_block)
  s3_prefix_list_id     = var.s3_prefix_list_id != null ? var.s3_prefix_list_id : one(data.aws_prefix_list.s3[*].id)

  # SageMaker always writes training job logs to this fixed group (one per account and
  # region, streams "<job-name>/algo-N-..."); the name cannot be changed per job, so a
  # per-environment group such as /aws/sagemaker/TrainingJobs/<name> would stay empty.
  log_group_name = "/aws/sagemaker/TrainingJobs"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  # Batch scoring runs as SageMaker Processing jobs with this role; SageMaker writes their logs to
  # the fixed /aws/sagemaker/ProcessingJobs group and their metrics to that namespace.
  processing_log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/ProcessingJobs"
}

# ---------------------------------------------------------------------------------------
# Security group. Distributed training (multi-instance, EFA, Horovod/NCCL/SMDDP) needs
# unrestricted traffic between the job's own instances, so the group allows all traffic
# from and to itself. Everything else is HTTPS: to the interface endpoints inside the
# VPC and to S3 through the gateway endpoint prefix list. No internet egress.
# ---------------------------------------------------------------------------------------

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:The group is attached by SageMaker to the ENIs of training jobs launched at run time (SDK/pipelines via the security_group_id output), not by a Terraform resource. [owner=mlgen-modules expires=2027-12-01]
  name_prefix = "${var.name}-training-"
  description = "SageMaker training jobs of ${var.name}"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-training" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "self" {
  security_group_id            = aws_security_group.this.id
  description                  = "All traffic between instances of the same training job (distributed training)"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.this.id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "self" {
  security_group_id            = aws_security_group.this.id
  description                  = "All traffic between instances of the same training job (distributed training)"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.this.id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "vpc_https" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to interface VPC endpoints (SageMaker API, ECR, STS, Logs, KMS)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = local.vpc_cidr_block

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "s3_https" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to Amazon S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = local.s3_prefix_list_id

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# Log group
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  count = var.create_log_group ? 1 : 0

  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = merge(var.tags, { Name = local.log_group_name })
}
