# Application Auto Scaling for instance-backed endpoints. Serverless endpoints scale
# themselves and get none of this.

resource "aws_appautoscaling_target" "this" {
  count = local.create_model && !local.is_serverless ? 1 : 0

  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.this[0].name}/variant/${local.variant_name}"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = local.is_async ? 0 : var.autoscaling.min
  max_capacity       = var.autoscaling.max

  tags = var.tags
}

# online: keep invocations per instance around the target.
resource "aws_appautoscaling_policy" "invocations" {
  count = local.create_model && local.is_online ? 1 : 0

  name               = "${var.name}-invocations-per-instance"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling.target_invocations_per_instance
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}

# async: track the queue backlog per instance; scales in to zero when the queue is empty.
resource "aws_appautoscaling_policy" "backlog" {
  count = local.create_model && local.is_async ? 1 : 0

  name               = "${var.name}-backlog-per-instance"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling.target_backlog_per_instance
    scale_in_cooldown  = 600
    scale_out_cooldown = 300

    customized_metric_specification {
      metric_name = "ApproximateBacklogSizePerInstance"
      namespace   = "AWS/SageMaker"
      statistic   = "Average"

      dimensions {
        name  = "EndpointName"
        value = aws_sagemaker_endpoint.this[0].name
      }
    }
  }
}

# async: target tracking cannot leave zero instances (backlog per instance is undefined),
# so a step policy adds one instance when requests wait with no capacity.
resource "aws_appautoscaling_policy" "scale_from_zero" {
  count = local.create_model && local.is_async ? 1 : 0

  name               = "${var.name}-scale-from-zero"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = 150
    metric_aggregation_type = "Average"

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "backlog_without_capacity" {
  count = local.create_model && local.is_async ? 1 : 0

  alarm_name          = "${var.name}-has-backlog-without-capacity"
  alarm_description   = "Async requests are queued while ${local.endpoint_name} has no instances: scale from zero."
  namespace           = "AWS/SageMaker"
  metric_name         = "HasBacklogWithoutCapacity"
  dimensions          = { EndpointName = aws_sagemaker_endpoint.this[0].name }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "missing"
  actions_enabled     = true
  alarm_actions       = [aws_appautoscaling_policy.scale_from_zero[0].arn]

  tags = var.tags
}
