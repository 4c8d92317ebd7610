data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # AWS Budgets tag filter syntax: "user:<key>$<value>" (format() avoids HCL's "$${" escape).
  tag_filter_value = format("user:%s$%s", var.cost_allocation_tag.key, var.cost_allocation_tag.value)

  # One ACTUAL and one FORECASTED notification per threshold.
  notifications = [
    for pair in setproduct(var.thresholds_pct, ["ACTUAL", "FORECASTED"]) : {
      threshold = pair[0]
      type      = pair[1]
    }
  ]

  create_anomaly_monitor = var.enable_anomaly_detection && var.existing_anomaly_monitor_arn == null
  anomaly_monitor_arn    = !var.enable_anomaly_detection ? null : local.create_anomaly_monitor ? aws_ce_anomaly_monitor.this[0].arn : var.existing_anomaly_monitor_arn
}

resource "aws_sns_topic" "this" {
  #checkov:skip=CKV_AWS_26:Encrypted with kms_key_arn whenever the caller passes one (generated roots pass the keys module's logs key). With kms_key_arn = null the topic has no SSE on purpose: AWS Budgets and Cost Anomaly Detection cannot publish to a topic encrypted with the AWS managed alias/aws/sns key (its key policy cannot grant their service principals), and the messages carry only budget names and amounts. [owner=mlgen-modules expires=2027-12-01]
  name              = "${var.name}-budget-alerts"
  kms_master_key_id = var.kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-budget-alerts" })
}

resource "aws_sns_topic_policy" "this" {
  arn = aws_sns_topic.this.arn

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowBudgetsPublish"
        Effect    = "Allow"
        Principal = { Service = "budgets.amazonaws.com" }
        Action    = "SNS:Publish"
        Resource  = aws_sns_topic.this.arn
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:budgets::${local.account_id}:*" }
        }
      },
      {
        Sid       = "AllowCostAnomalyDetectionPublish"
        Effect    = "Allow"
        Principal = { Service = "costalerts.amazonaws.com" }
        Action    = "SNS:Publish"
        Resource  = aws_sns_topic.this.arn
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "SNS:Publish"
        Resource  = aws_sns_topic.this.arn
        Condition = {
          Bool = { "aws:SecureTransport" = "false" }
        }
      },
    ]
  })
}

resource "aws_budgets_budget" "this" {
  name         = "${var.name}-monthly-cost"
  budget_type  = "COST"
  limit_amount = tostring(var.monthly_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  cost_filter {
    name   = "TagKeyValue"
    values = [local.tag_filter_value]
  }

  dynamic "notification" {
    for_each = local.notifications

    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value.threshold
      threshold_type             = "PERCENTAGE"
      notification_type          = notification.value.type
      subscriber_email_addresses = var.alert_emails
      subscriber_sns_topic_arns  = [aws_sns_topic.this.arn]
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-monthly-cost" })

  # Budgets checks that it may publish to the topic when the notifications are created.
  depends_on = [aws_sns_topic_policy.this]
}

# The project's total across environments, on the project tag (one root owns it).
resource "aws_budgets_budget" "total" {
  count = var.project_total == null ? 0 : 1

  name         = "${var.project_total.name}-monthly-total"
  budget_type  = "COST"
  limit_amount = tostring(var.project_total.monthly_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  cost_filter {
    name   = "TagKeyValue"
    values = [format("user:%s$%s", var.project_total.tag.key, var.project_total.tag.value)]
  }

  dynamic "notification" {
    for_each = local.notifications

    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value.threshold
      threshold_type             = "PERCENTAGE"
      notification_type          = notification.value.type
      subscriber_email_addresses = var.alert_emails
      subscriber_sns_topic_arns  = [aws_sns_topic.this.arn]
    }
  }

  tags = merge(var.tags, { Name = "${var.project_total.name}-monthly-total" })

  depends_on = [aws_sns_topic_policy.this]
}

# Budgets filtered by tag read $0 until the tag keys are activated for cost allocation (in the
# payer account; a member account of an AWS Organization cannot activate them).
resource "aws_ce_cost_allocation_tag" "this" {
  for_each = toset(var.activate_cost_allocation_tags)

  tag_key = each.value
  status  = "Active"
}

resource "aws_ce_anomaly_monitor" "this" {
  count = local.create_anomaly_monitor ? 1 : 0

  name              = var.anomaly_monitor_type == "SERVICE" ? "${var.name}-services" : "${var.name}-tag"
  monitor_type      = var.anomaly_monitor_type == "SERVICE" ? "DIMENSIONAL" : "CUSTOM"
  monitor_dimension = var.anomaly_monitor_type == "SERVICE" ? "SERVICE" : null
  monitor_specification = var.anomaly_monitor_type == "TAG" ? jsonencode({
    And            = null
    CostCategories = null
    Dimensions     = null
    Not            = null
    Or             = null
    Tags = {
      Key          = var.cost_allocation_tag.key
      MatchOptions = null
      Values       = [var.cost_allocation_tag.value]
    }
  }) : null

  tags = merge(var.tags, { Name = "${var.name}-anomaly-monitor" })
}

# Daily digest of anomalies to people (email subscribers must use DAILY or WEEKLY).
resource "aws_ce_anomaly_subscription" "email" {
  count = var.enable_anomaly_detection && length(var.alert_emails) > 0 ? 1 : 0

  name             = "${var.name}-anomalies-email"
  frequency        = "DAILY"
  monitor_arn_list = [local.anomaly_monitor_arn]

  dynamic "subscriber" {
    for_each = toset(var.alert_emails)

    content {
      type    = "EMAIL"
      address = subscriber.value
    }
  }

  threshold_expression {
    dimension {
      key           = "ANOMALY_TOTAL_IMPACT_ABSOLUTE"
      match_options = ["GREATER_THAN_OR_EQUAL"]
      values        = [tostring(var.anomaly_threshold_usd)]
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-anomalies-email" })
}

# Each anomaly as it is found, to the topic (chat/ticket integrations). SNS subscribers
# must use IMMEDIATE, and one subscription may not mix SNS and email.
resource "aws_ce_anomaly_subscription" "sns" {
  count = var.enable_anomaly_detection ? 1 : 0

  name             = "${var.name}-anomalies-sns"
  frequency        = "IMMEDIATE"
  monitor_arn_list = [local.anomaly_monitor_arn]

  subscriber {
    type    = "SNS"
    address = aws_sns_topic.this.arn
  }

  threshold_expression {
    dimension {
      key           = "ANOMALY_TOTAL_IMPACT_ABSOLUTE"
      match_options = ["GREATER_THAN_OR_EQUAL"]
      values        = [tostring(var.anomaly_threshold_usd)]
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-anomalies-sns" })

  depends_on = [aws_sns_topic_policy.this]
}
