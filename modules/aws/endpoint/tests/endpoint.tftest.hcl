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
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/fraud-scoring-dev-sagemaker-endpoint" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:fraud-scoring-dev-topic" }
  }
  mock_resource "aws_sagemaker_endpoint" {
    defaults = { arn = "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/fraud-scoring-dev" }
  }
  mock_resource "aws_appautoscaling_policy" {
    defaults = { arn = "arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:00000000-0000-0000-0000-000000000000:resource/sagemaker/endpoint/fraud-scoring-dev/variant/AllTraffic:policyName/x" }
  }
}

variables {
  name                 = "fraud-scoring-dev"
  kms_key_arn          = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-0000000000e0"
  artifacts_bucket_arn = "arn:aws:s3:::fraud-scoring-dev-artifacts"
  model_image          = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-scoring-dev-serving:1.4.2"
  model_data_url       = "s3://fraud-scoring-dev-artifacts/training/job-1/output/model.tar.gz"
  subnet_ids           = ["subnet-0aaa", "subnet-0bbb"]
  security_group_ids   = ["sg-0ccc"]
  alarm_emails         = ["ml-oncall@example.com", "owner@example.com"]
  tags                 = { project = "fraud-scoring" }
}

# ---------------------------------------------------------------------------------------
# Gate
# ---------------------------------------------------------------------------------------

run "gate_without_model_image_creates_nothing_that_needs_a_model" {
  command = plan

  variables {
    model_image    = null
    model_data_url = null
  }

  assert {
    condition = (
      length(aws_sagemaker_model.this) == 0 &&
      length(aws_sagemaker_endpoint_configuration.this) == 0 &&
      length(aws_sagemaker_endpoint.this) == 0
    )
    error_message = "No model, endpoint configuration or endpoint may exist without model_image."
  }

  assert {
    condition = (
      length(aws_appautoscaling_target.this) == 0 &&
      length(aws_appautoscaling_policy.invocations) == 0 &&
      length(aws_cloudwatch_metric_alarm.latency) == 0 &&
      length(aws_cloudwatch_metric_alarm.errors) == 0
    )
    error_message = "No autoscaling or endpoint alarms may exist without model_image."
  }

  assert {
    condition     = output.endpoint_name == null && output.model_created == false && output.model_name == null
    error_message = "Outputs must report that no endpoint exists."
  }

  assert {
    condition     = output.execution_role_arn != null && output.sns_topic_arn != null
    error_message = "The role and the alarm topic exist even without a model."
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if startswith(s.Sid, "Ecr")]) == 0
    error_message = "No ECR permissions are needed before an image exists."
  }
}

run "gate_async_without_model_image" {
  command = plan

  variables {
    mode           = "async"
    model_image    = null
    model_data_url = null
  }

  assert {
    condition = (
      length(aws_sagemaker_endpoint.this) == 0 &&
      length(aws_appautoscaling_target.this) == 0 &&
      length(aws_appautoscaling_policy.backlog) == 0 &&
      length(aws_appautoscaling_policy.scale_from_zero) == 0 &&
      length(aws_cloudwatch_metric_alarm.backlog_without_capacity) == 0
    )
    error_message = "Async scaling resources must be gated on model_image."
  }
}

# ---------------------------------------------------------------------------------------
# online
# ---------------------------------------------------------------------------------------

run "online_endpoint" {
  command = plan

  variables {
    autoscaling = { min = 2, max = 6, target_invocations_per_instance = 250 }
  }

  assert {
    condition = (
      length(aws_sagemaker_model.this) == 1 &&
      length(aws_sagemaker_endpoint_configuration.this) == 1 &&
      length(aws_sagemaker_endpoint.this) == 1 &&
      length(aws_appautoscaling_target.this) == 1 &&
      length(aws_appautoscaling_policy.invocations) == 1 &&
      length(aws_appautoscaling_policy.backlog) == 0 &&
      length(aws_appautoscaling_policy.scale_from_zero) == 0 &&
      length(aws_sns_topic.async_success) == 0
    )
    error_message = "Online mode: one model/config/endpoint, target tracking on invocations, nothing async."
  }

  assert {
    condition     = aws_sagemaker_model.this[0].enable_network_isolation == true
    error_message = "The model must run with network isolation."
  }

  assert {
    condition = (
      aws_sagemaker_model.this[0].primary_container[0].image == var.model_image &&
      aws_sagemaker_model.this[0].primary_container[0].model_data_url == var.model_data_url
    )
    error_message = "The primary container must use model_image and model_data_url."
  }

  assert {
    condition = (
      length(aws_sagemaker_model.this[0].vpc_config) == 1 &&
      aws_sagemaker_model.this[0].vpc_config[0].subnets == toset(var.subnet_ids) &&
      aws_sagemaker_model.this[0].vpc_config[0].security_group_ids == toset(var.security_group_ids)
    )
    error_message = "The model must run in the given subnets and security groups."
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this[0].kms_key_arn == var.kms_key_arn
    error_message = "The endpoint configuration must encrypt the ML storage volume with kms_key_arn."
  }

  assert {
    condition = (
      aws_sagemaker_endpoint_configuration.this[0].production_variants[0].instance_type == "ml.m6i.large" &&
      aws_sagemaker_endpoint_configuration.this[0].production_variants[0].initial_instance_count == 1 &&
      length(aws_sagemaker_endpoint_configuration.this[0].production_variants[0].serverless_config) == 0 &&
      length(aws_sagemaker_endpoint_configuration.this[0].async_inference_config) == 0
    )
    error_message = "Online variant must be instance-based without serverless or async configuration."
  }

  assert {
    condition = (
      aws_appautoscaling_target.this[0].min_capacity == 2 &&
      aws_appautoscaling_target.this[0].max_capacity == 6 &&
      aws_appautoscaling_target.this[0].resource_id == "endpoint/fraud-scoring-dev/variant/AllTraffic" &&
      aws_appautoscaling_target.this[0].scalable_dimension == "sagemaker:variant:DesiredInstanceCount"
    )
    error_message = "Scalable target must cover the variant with autoscaling.min..max."
  }

  assert {
    condition = (
      aws_appautoscaling_policy.invocations[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "SageMakerVariantInvocationsPerInstance" &&
      aws_appautoscaling_policy.invocations[0].target_tracking_scaling_policy_configuration[0].target_value == 250
    )
    error_message = "Online scaling must track SageMakerVariantInvocationsPerInstance at the target."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.latency[0].metric_name == "ModelLatency" &&
      aws_cloudwatch_metric_alarm.latency[0].extended_statistic == "p95" &&
      aws_cloudwatch_metric_alarm.latency[0].threshold == 500000 &&
      aws_cloudwatch_metric_alarm.latency[0].dimensions["EndpointName"] == "fraud-scoring-dev"
    )
    error_message = "Latency alarm must watch p95 ModelLatency in microseconds (latency_alarm_ms * 1000)."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.errors[0].metric_name == "Invocation5XXErrors" &&
      aws_cloudwatch_metric_alarm.errors[0].threshold == 0 &&
      aws_cloudwatch_metric_alarm.errors[0].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.errors[0].alarm_actions == toset([aws_sns_topic.this.arn])
    )
    error_message = "5XX alarm must fire on any error and notify the alarm topic."
  }

  assert {
    condition     = output.endpoint_name == "fraud-scoring-dev" && output.model_created == true
    error_message = "Outputs must expose the endpoint."
  }
}

run "gpu_instance_with_local_nvme_omits_volume_key" {
  command = plan

  variables {
    instance_type = "ml.g5.xlarge"
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this[0].kms_key_arn == null
    error_message = "Instance types with local NVMe storage reject KmsKeyId; it must be omitted."
  }
}

run "d_instance_with_local_nvme_omits_volume_key" {
  command = plan

  variables {
    instance_type = "ml.g4dn.xlarge"
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this[0].kms_key_arn == null
    error_message = "Instance types with local NVMe storage reject KmsKeyId; it must be omitted."
  }
}

run "no_vpc_config_without_subnets" {
  command = plan

  variables {
    subnet_ids         = []
    security_group_ids = []
  }

  assert {
    condition     = length(aws_sagemaker_model.this[0].vpc_config) == 0
    error_message = "vpc_config must be absent when subnet_ids is empty."
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if startswith(s.Sid, "Vpc")]) == 0
    error_message = "No EC2 permissions without VPC configuration."
  }
}

# ---------------------------------------------------------------------------------------
# serverless
# ---------------------------------------------------------------------------------------

run "serverless_endpoint" {
  command = plan

  variables {
    mode               = "serverless"
    instance_type      = null
    subnet_ids         = []
    security_group_ids = []
    serverless         = { memory_size_mb = 4096, max_concurrency = 20 }
  }

  assert {
    condition = (
      length(aws_sagemaker_endpoint.this) == 1 &&
      length(aws_appautoscaling_target.this) == 0 &&
      length(aws_appautoscaling_policy.invocations) == 0 &&
      length(aws_appautoscaling_policy.backlog) == 0
    )
    error_message = "Serverless mode: an endpoint and no autoscaling resources."
  }

  assert {
    condition = (
      aws_sagemaker_endpoint_configuration.this[0].production_variants[0].serverless_config[0].memory_size_in_mb == 4096 &&
      aws_sagemaker_endpoint_configuration.this[0].production_variants[0].serverless_config[0].max_concurrency == 20 &&
      aws_sagemaker_endpoint_configuration.this[0].production_variants[0].instance_type == null
    )
    error_message = "Serverless variant must carry serverless_config and no instance type."
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this[0].kms_key_arn == null
    error_message = "Serverless endpoints have no ML storage volume: no volume KMS key."
  }

  assert {
    condition     = aws_sagemaker_model.this[0].enable_network_isolation == false && length(aws_sagemaker_model.this[0].vpc_config) == 0
    error_message = "Serverless does not support network isolation or VPC configuration."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.latency) == 1 && aws_cloudwatch_metric_alarm.latency[0].extended_statistic == "p95"
    error_message = "Serverless endpoints still get the p95 latency alarm."
  }
}

# ---------------------------------------------------------------------------------------
# async
# ---------------------------------------------------------------------------------------

run "async_endpoint" {
  command = plan

  variables {
    mode        = "async"
    autoscaling = { max = 4, target_backlog_per_instance = 3 }
  }

  assert {
    condition = (
      length(aws_sagemaker_endpoint_configuration.this[0].async_inference_config) == 1 &&
      aws_sagemaker_endpoint_configuration.this[0].async_inference_config[0].output_config[0].s3_output_path == "s3://fraud-scoring-dev-artifacts/async-output" &&
      aws_sagemaker_endpoint_configuration.this[0].async_inference_config[0].output_config[0].s3_failure_path == "s3://fraud-scoring-dev-artifacts/async-output-failures" &&
      aws_sagemaker_endpoint_configuration.this[0].async_inference_config[0].output_config[0].kms_key_id == var.kms_key_arn
    )
    error_message = "Async config must write KMS-encrypted output to s3://<artifacts>/async-output."
  }

  assert {
    condition = (
      length(aws_sns_topic.async_success) == 1 && length(aws_sns_topic.async_error) == 1 &&
      aws_sagemaker_endpoint_configuration.this[0].async_inference_config[0].output_config[0].notification_config[0].success_topic == aws_sns_topic.async_success[0].arn &&
      aws_sagemaker_endpoint_configuration.this[0].async_inference_config[0].output_config[0].notification_config[0].error_topic == aws_sns_topic.async_error[0].arn
    )
    error_message = "Async results must notify the success and error topics."
  }

  assert {
    condition = (
      aws_appautoscaling_target.this[0].min_capacity == 0 &&
      aws_appautoscaling_target.this[0].max_capacity == 4 &&
      length(aws_appautoscaling_policy.invocations) == 0
    )
    error_message = "Async endpoints scale between 0 and autoscaling.max."
  }

  assert {
    condition = (
      aws_appautoscaling_policy.backlog[0].target_tracking_scaling_policy_configuration[0].customized_metric_specification[0].metric_name == "ApproximateBacklogSizePerInstance" &&
      aws_appautoscaling_policy.backlog[0].target_tracking_scaling_policy_configuration[0].target_value == 3
    )
    error_message = "Async scaling must track ApproximateBacklogSizePerInstance."
  }

  assert {
    condition = (
      aws_appautoscaling_policy.scale_from_zero[0].policy_type == "StepScaling" &&
      aws_cloudwatch_metric_alarm.backlog_without_capacity[0].metric_name == "HasBacklogWithoutCapacity" &&
      aws_cloudwatch_metric_alarm.backlog_without_capacity[0].alarm_actions == toset([aws_appautoscaling_policy.scale_from_zero[0].arn])
    )
    error_message = "HasBacklogWithoutCapacity must trigger the scale-from-zero step policy."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.latency[0].statistic == "Average" && aws_cloudwatch_metric_alarm.latency[0].extended_statistic == null
    error_message = "Async ModelLatency publishes no percentiles; the alarm must use Average."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "AsyncOutputWrite"][0].Resource == [
        "arn:aws:s3:::fraud-scoring-dev-artifacts/async-output/*", "arn:aws:s3:::fraud-scoring-dev-artifacts/async-output-failures/*",
      ] &&
      length([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "AsyncNotifications"][0].Resource) == 2
    )
    error_message = "The role may write only the async output prefixes and publish only to the async topics."
  }
}

run "async_custom_output_path" {
  command = plan

  variables {
    mode              = "async"
    async_output_path = "s3://other-results/fraud/"
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this[0].async_inference_config[0].output_config[0].s3_output_path == "s3://other-results/fraud"
    error_message = "async_output_path must be used (without trailing slash)."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "AsyncOutputWrite"][0].Resource == [
      "arn:aws:s3:::other-results/fraud/*", "arn:aws:s3:::other-results/fraud-failures/*",
    ]
    error_message = "Write access must follow async_output_path."
  }
}

# ---------------------------------------------------------------------------------------
# Data capture
# ---------------------------------------------------------------------------------------

run "data_capture_off_by_default" {
  command = plan

  assert {
    condition     = length(aws_sagemaker_endpoint_configuration.this[0].data_capture_config) == 0
    error_message = "Data capture must be off by default."
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "DataCaptureWrite"]) == 0
    error_message = "No data-capture write permission when capture is off."
  }
}

run "data_capture_on" {
  command = plan

  variables {
    enable_data_capture  = true
    data_capture_percent = 25
  }

  assert {
    condition = (
      aws_sagemaker_endpoint_configuration.this[0].data_capture_config[0].enable_capture == true &&
      aws_sagemaker_endpoint_configuration.this[0].data_capture_config[0].destination_s3_uri == "s3://fraud-scoring-dev-artifacts/data-capture" &&
      aws_sagemaker_endpoint_configuration.this[0].data_capture_config[0].kms_key_id == var.kms_key_arn &&
      aws_sagemaker_endpoint_configuration.this[0].data_capture_config[0].initial_sampling_percentage == 25
    )
    error_message = "Data capture must go KMS-encrypted to s3://<artifacts>/data-capture at the given percentage."
  }

  assert {
    condition     = toset([for o in aws_sagemaker_endpoint_configuration.this[0].data_capture_config[0].capture_options : o.capture_mode]) == toset(["Input", "Output"])
    error_message = "Both requests and responses must be captured."
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "DataCaptureWrite"][0].Resource == ["arn:aws:s3:::fraud-scoring-dev-artifacts/data-capture/*"]
    error_message = "Data-capture write access must be limited to the data-capture prefix."
  }
}

# ---------------------------------------------------------------------------------------
# IAM, logs, SNS
# ---------------------------------------------------------------------------------------

run "execution_role_least_privilege" {
  command = plan

  assert {
    condition = (
      jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal == { Service = "sagemaker.amazonaws.com" } &&
      jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    )
    error_message = "Only SageMaker from this account may assume the role."
  }

  assert {
    condition = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      [for a in flatten([s.Action]) : !strcontains(a, "*")]
    ]))
    error_message = "No statement may use a wildcard action."
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      alltrue([for a in flatten([s.Action]) : contains([
        "ecr:GetAuthorizationToken", "cloudwatch:PutMetricData", "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
      ], a)]) && try(s.Condition.StringEquals["aws:RequestedRegion"] == "eu-west-1", false)
      if contains(flatten([s.Resource]), "*")
    ])
    error_message = "Resource \"*\" is only allowed for actions without resource-level permissions, with a region condition."
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "EcrPull"][0].Resource == ["arn:aws:ecr:eu-west-1:123456789012:repository/fraud-scoring-dev-serving"]
    error_message = "ECR pulls must be limited to the repository of model_image."
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      s.Resource == [var.kms_key_arn] if anytrue([for a in s.Action : startswith(a, "kms:")])
    ])
    error_message = "KMS permissions must be limited to kms_key_arn."
  }

  assert {
    condition = toset([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "VpcCreateEni"][0].Resource) == toset([
      "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0aaa",
      "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0bbb",
      "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0ccc",
      "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
    ])
    error_message = "ENIs may only be created in the given subnets with the given security groups."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s if s.Sid == "EndpointLogs"][0].Resource == [
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/fraud-scoring-dev",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/fraud-scoring-dev:*",
    ]
    error_message = "Log permissions must be limited to the endpoint log group."
  }

  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : !contains(s.Action, "s3:PutObject") if startswith(s.Sid, "Artifacts")])
    error_message = "Without data capture or async the role must not write to the artifacts bucket."
  }
}

run "log_group_and_topics_encrypted" {
  command = plan

  variables {
    log_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-00000000001c"
  }

  assert {
    condition = (
      aws_cloudwatch_log_group.this.name == "/aws/sagemaker/Endpoints/fraud-scoring-dev" &&
      aws_cloudwatch_log_group.this.kms_key_id == var.log_kms_key_arn &&
      aws_cloudwatch_log_group.this.retention_in_days == 365
    )
    error_message = "The endpoint log group must be KMS-encrypted with 365-day retention."
  }

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == var.kms_key_arn
    error_message = "The alarm topic must be KMS-encrypted."
  }

  assert {
    condition = (
      length(aws_sns_topic_subscription.email) == 2 &&
      alltrue([for s in aws_sns_topic_subscription.email : s.protocol == "email"])
    )
    error_message = "One email subscription per alarm_emails entry."
  }
}

# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------

run "rejects_unknown_mode" {
  command = plan

  variables {
    mode = "batch"
  }

  expect_failures = [var.mode]
}

run "rejects_serverless_in_vpc" {
  command = plan

  variables {
    mode          = "serverless"
    instance_type = null
  }

  expect_failures = [var.subnet_ids]
}

run "rejects_serverless_data_capture" {
  command = plan

  variables {
    mode                = "serverless"
    instance_type       = null
    subnet_ids          = []
    enable_data_capture = true
  }

  expect_failures = [var.enable_data_capture]
}

run "rejects_subnets_without_security_groups" {
  command = plan

  variables {
    security_group_ids = []
  }

  expect_failures = [var.security_group_ids]
}

run "rejects_bad_autoscaling" {
  command = plan

  variables {
    autoscaling = { min = 3, max = 2 }
  }

  expect_failures = [var.autoscaling]
}

run "serverless_rejects_an_instance_type" {
  command = plan

  variables {
    mode       = "serverless"
    subnet_ids = []
  }

  expect_failures = [var.instance_type]
}

run "role_reads_the_artifacts_key_and_pulls_serving_without_model_image" {
  command = plan

  variables {
    model_image           = null
    model_data_url        = null
    artifacts_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-0000000000da"
    sns_kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-00000000001a"
    ecr_repository_arns   = ["arn:aws:ecr:eu-west-1:123456789012:repository/fraud-scoring-dev-serving"]
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Resource if s.Sid == "KmsUse"][0] == [
      "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-0000000000e0",
      "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-0000000000da",
    ]
    error_message = "The role must use the volume key and the artifacts bucket's key (the model artefact), and not the SNS key of a non-async endpoint."
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Resource if s.Sid == "EcrPull"][0] == ["arn:aws:ecr:eu-west-1:123456789012:repository/fraud-scoring-dev-serving"]
    error_message = "make deploy creates the model later: the role must pull the serving repository even without model_image."
  }
}
