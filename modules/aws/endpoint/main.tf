# SageMaker inference endpoint in one of three modes:
#   online     - real-time instances, target tracking on InvocationsPerInstance
#   serverless - memory/concurrency configuration, no instances and no autoscaling
#   async      - queued requests, results in S3, SNS notifications, scales to zero
#
# GATE: everything that needs a model (model, endpoint configuration, endpoint,
# autoscaling, endpoint alarms) is created only when model_image is set, so a fresh
# project can apply before its first model exists. The role, log group and SNS topics
# are always created.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id

  create_model  = var.model_image != null
  is_online     = var.mode == "online"
  is_serverless = var.mode == "serverless"
  is_async      = var.mode == "async"

  endpoint_name = var.name
  variant_name  = "AllTraffic"

  artifacts_bucket_name = coalesce(var.artifacts_bucket_name, element(split(":::", var.artifacts_bucket_arn), 1))
  data_capture_uri      = "s3://${local.artifacts_bucket_name}/data-capture"
  async_output_path     = trimsuffix(coalesce(var.async_output_path, "s3://${local.artifacts_bucket_name}/async-output"), "/")
  async_failure_path    = "${local.async_output_path}-failures"

  log_kms_key_arn = coalesce(var.log_kms_key_arn, var.kms_key_arn)
  sns_kms_key_arn = coalesce(var.sns_kms_key_arn, var.kms_key_arn)

  # Serverless endpoints support neither VPC configuration nor network isolation
  # (SageMaker Serverless Inference feature exclusions); the variables reject subnets
  # for serverless, and isolation is on for every other mode.
  use_vpc           = !local.is_serverless && length(var.subnet_ids) > 0
  network_isolation = var.mode == "serverless" ? false : true

  # KmsKeyId on the endpoint configuration encrypts the ML storage volume attached to
  # endpoint instances. Serverless endpoints have no instance volume, and instance types
  # with local NVMe storage (hardware-encrypted) make CreateEndpointConfig fail when a
  # KmsKeyId is passed, so the key is omitted for those.
  instance_family = try(regex("^ml\\.([a-z0-9-]+)\\.", var.instance_type)[0], "")
  family_parts    = try(regex("^([a-z]+)([0-9]+)([a-z-]*)$", local.instance_family), ["", "", ""])
  has_local_nvme = (
    strcontains(local.family_parts[2], "d") ||
    contains(["g5", "g6", "g6e", "p5", "p5e", "p5en", "trn1", "trn1n", "trn2"], local.instance_family)
  )
  volume_kms_key_arn = (local.is_serverless || local.has_local_nvme) ? null : var.kms_key_arn

  # <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@digest] -> repository ARN
  image_parts        = local.create_model ? try(regex("^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)", var.model_image), null) : null
  ecr_repository_arn = local.image_parts == null ? null : "arn:${local.partition}:ecr:${local.image_parts[1]}:${local.image_parts[0]}:repository/${local.image_parts[2]}"
  model_data_parts   = var.model_data_url == null ? null : regex("^s3://([^/]+)/(.+)$", var.model_data_url)
  model_data_arn     = local.model_data_parts == null ? null : "arn:${local.partition}:s3:::${local.model_data_parts[0]}/${local.model_data_parts[1]}"
  async_output_parts = regex("^s3://([^/]+)/(.+)$", local.async_output_path)
  async_output_arn   = "arn:${local.partition}:s3:::${local.async_output_parts[0]}/${local.async_output_parts[1]}"

  # Models and endpoint configurations are immutable in SageMaker: names carry a hash of
  # their content so a change creates a new one before the old one is deleted.
  model_hash = substr(sha1(jsonencode([var.model_image, var.model_data_url, local.use_vpc ? [var.subnet_ids, var.security_group_ids] : [], local.network_isolation])), 0, 8)
  model_name = "${var.name}-${local.model_hash}"
  config_hash = substr(sha1(jsonencode([
    local.model_name, var.mode, var.instance_type, var.initial_instance_count, var.serverless,
    local.volume_kms_key_arn, var.enable_data_capture, var.data_capture_percent, local.async_output_path,
  ])), 0, 8)
  config_name = "${var.name}-${local.config_hash}"
}

resource "aws_sagemaker_model" "this" {
  #checkov:skip=CKV_AWS_370:network isolation is on for online and async models (tests/endpoint.tftest.hcl asserts it); SageMaker serverless endpoints do not support network isolation, so mode serverless turns it off [owner=mlgen-modules expires=2027-12-01]
  count = local.create_model ? 1 : 0

  name               = local.model_name
  execution_role_arn = aws_iam_role.this.arn
  # Same value as local.network_isolation, written out so static scanners can resolve it.
  enable_network_isolation = var.mode == "serverless" ? false : true

  primary_container {
    image          = var.model_image
    model_data_url = var.model_data_url
    mode           = "SingleModel"
  }

  dynamic "vpc_config" {
    for_each = local.use_vpc ? [1] : []
    content {
      subnets            = var.subnet_ids
      security_group_ids = var.security_group_ids
    }
  }

  tags = merge(var.tags, { Name = local.model_name })

  # The role needs its permissions before SageMaker validates image and model data access.
  depends_on = [aws_iam_role_policy.this]

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  count = local.create_model ? 1 : 0

  name        = local.config_name
  kms_key_arn = local.volume_kms_key_arn

  production_variants {
    variant_name           = local.variant_name
    model_name             = aws_sagemaker_model.this[0].name
    instance_type          = var.instance_type
    initial_instance_count = local.is_serverless ? null : var.initial_instance_count

    dynamic "serverless_config" {
      for_each = local.is_serverless ? [var.serverless] : []
      content {
        memory_size_in_mb = serverless_config.value.memory_size_mb
        max_concurrency   = serverless_config.value.max_concurrency
      }
    }
  }

  dynamic "async_inference_config" {
    for_each = local.is_async ? [1] : []
    content {
      output_config {
        s3_output_path  = local.async_output_path
        s3_failure_path = local.async_failure_path
        kms_key_id      = var.kms_key_arn

        notification_config {
          success_topic = aws_sns_topic.async_success[0].arn
          error_topic   = aws_sns_topic.async_error[0].arn
        }
      }
    }
  }

  dynamic "data_capture_config" {
    for_each = var.enable_data_capture ? [1] : []
    content {
      enable_capture              = true
      initial_sampling_percentage = var.data_capture_percent
      destination_s3_uri          = local.data_capture_uri
      kms_key_id                  = var.kms_key_arn

      capture_options {
        capture_mode = "Input"
      }
      capture_options {
        capture_mode = "Output"
      }
    }
  }

  tags = merge(var.tags, { Name = local.config_name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint" "this" {
  count = local.create_model ? 1 : 0

  name                 = local.endpoint_name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this[0].name

  tags = merge(var.tags, { Name = local.endpoint_name })

  # The container writes to this group from its first start.
  depends_on = [aws_cloudwatch_log_group.this]
}

# SageMaker writes container logs to /aws/sagemaker/Endpoints/<endpoint name>. Creating it
# here (before the endpoint) gives it KMS and retention instead of the service defaults.
resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/sagemaker/Endpoints/${local.endpoint_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = local.log_kms_key_arn

  tags = merge(var.tags, { Name = "/aws/sagemaker/Endpoints/${local.endpoint_name}" })
}
