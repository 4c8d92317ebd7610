# Alarm topic with email subscriptions, async notification topics, and endpoint alarms.

resource "aws_sns_topic" "this" {
  name              = "${var.name}-endpoint-alarms"
  kms_master_key_id = local.sns_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-endpoint-alarms" })
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic" "async_success" {
  count = local.is_async ? 1 : 0

  name              = "${var.name}-async-success"
  kms_master_key_id = local.sns_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-async-success" })
}

resource "aws_sns_topic" "async_error" {
  count = local.is_async ? 1 : 0

  name              = "${var.name}-async-error"
  kms_master_key_id = local.sns_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-async-error" })
}

# ModelLatency is reported in microseconds. Real-time and serverless endpoints publish
# percentiles; the async metric list documents Average/Sum/Min/Max/SampleCount only.
resource "aws_cloudwatch_metric_alarm" "latency" {
  count = local.create_model ? 1 : 0

  alarm_name          = "${var.name}-model-latency"
  alarm_description   = "${local.is_async ? "Average" : "p95"} ModelLatency of ${local.endpoint_name} above ${var.latency_alarm_ms} ms."
  namespace           = "AWS/SageMaker"
  metric_name         = "ModelLatency"
  dimensions          = { EndpointName = aws_sagemaker_endpoint.this[0].name, VariantName = local.variant_name }
  extended_statistic  = local.is_async ? null : "p95"
  statistic           = local.is_async ? "Average" : null
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.latency_alarm_ms * 1000
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  count = local.create_model ? 1 : 0

  alarm_name          = "${var.name}-invocation-5xx"
  alarm_description   = "${local.endpoint_name} returned 5XX errors."
  namespace           = "AWS/SageMaker"
  metric_name         = "Invocation5XXErrors"
  dimensions          = { EndpointName = aws_sagemaker_endpoint.this[0].name, VariantName = local.variant_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}
