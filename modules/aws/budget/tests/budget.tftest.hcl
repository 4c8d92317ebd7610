mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
      arn        = "arn:aws:iam::123456789012:user/test"
      user_id    = "AIDATEST"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition          = "aws"
      dns_suffix         = "amazonaws.com"
      reverse_dns_prefix = "com.amazonaws"
    }
  }

  mock_resource "aws_sns_topic" {
    override_during = plan
    defaults = {
      arn = "arn:aws:sns:eu-west-1:123456789012:fraud-scoring-dev-budget-alerts"
    }
  }

  mock_resource "aws_ce_anomaly_monitor" {
    override_during = plan
    defaults = {
      arn = "arn:aws:ce::123456789012:anomalymonitor/11111111-2222-3333-4444-555555555555"
    }
  }
}

variables {
  name                = "fraud-scoring-dev"
  monthly_limit_usd   = 2500
  cost_allocation_tag = { key = "project", value = "fraud-scoring" }
  kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111"
  alert_emails        = ["ml-lead@example.com", "finops@example.com"]
}

run "monthly_cost_budget_on_the_project_tag" {
  command = plan

  assert {
    condition     = aws_budgets_budget.this.budget_type == "COST" && aws_budgets_budget.this.time_unit == "MONTHLY"
    error_message = "The budget must be a monthly COST budget."
  }

  assert {
    condition     = tonumber(aws_budgets_budget.this.limit_amount) == 2500 && aws_budgets_budget.this.limit_unit == "USD"
    error_message = "The budget limit must be monthly_limit_usd in USD."
  }

  assert {
    condition = anytrue([
      for f in aws_budgets_budget.this.cost_filter : f.name == "TagKeyValue" && tolist(f.values) == tolist(["user:project$fraud-scoring"])
    ])
    error_message = "The budget must filter on TagKeyValue user:<key>$<value>."
  }

  assert {
    condition     = length(aws_budgets_budget.this.cost_filter) == 1
    error_message = "The tag must be the only cost filter."
  }

  assert {
    condition     = output.budget_name == "fraud-scoring-dev-monthly-cost"
    error_message = "budget_name must be <name>-monthly-cost."
  }
}

run "no_total_and_no_tag_activation_by_default" {
  command = plan

  assert {
    condition     = length(aws_budgets_budget.total) == 0 && length(aws_ce_cost_allocation_tag.this) == 0
    error_message = "Without project_total and activate_cost_allocation_tags the module creates neither."
  }
}

run "project_total_and_tag_activation" {
  command = plan

  variables {
    cost_allocation_tag           = { key = "environment", value = "prod" }
    project_total                 = { name = "fraud-scoring", monthly_limit_usd = 4000, tag = { key = "project", value = "fraud-scoring" } }
    activate_cost_allocation_tags = ["project", "environment"]
  }

  assert {
    condition     = length(aws_budgets_budget.this.cost_filter) == 1 && anytrue([for f in aws_budgets_budget.this.cost_filter : tolist(f.values) == tolist(["user:environment$prod"])])
    error_message = "The environment budget must filter on the environment tag only."
  }

  assert {
    condition = (
      tonumber(aws_budgets_budget.total[0].limit_amount) == 4000 &&
      length(aws_budgets_budget.total[0].cost_filter) == 1 &&
      anytrue([for f in aws_budgets_budget.total[0].cost_filter : f.name == "TagKeyValue" && tolist(f.values) == tolist(["user:project$fraud-scoring"])]) &&
      length(aws_budgets_budget.total[0].notification) == 6
    )
    error_message = "The project total must be its own budget on the project tag, alerting at every threshold."
  }

  assert {
    condition     = toset([for t in aws_ce_cost_allocation_tag.this : t.tag_key]) == toset(["project", "environment"]) && alltrue([for t in aws_ce_cost_allocation_tag.this : t.status == "Active"])
    error_message = "Every listed tag key must be activated for cost allocation."
  }
}

run "one_notification_per_threshold_and_type" {
  command = plan

  assert {
    condition     = length(aws_budgets_budget.this.notification) == 6
    error_message = "3 thresholds x (ACTUAL, FORECASTED) must give 6 notifications."
  }

  assert {
    condition = toset([for n in aws_budgets_budget.this.notification : "${n.notification_type}@${n.threshold}"]) == toset([
      "ACTUAL@50", "ACTUAL@80", "ACTUAL@100", "FORECASTED@50", "FORECASTED@80", "FORECASTED@100",
    ])
    error_message = "Each threshold must have exactly one ACTUAL and one FORECASTED notification."
  }

  assert {
    condition = alltrue([
      for n in aws_budgets_budget.this.notification :
      n.threshold_type == "PERCENTAGE" && n.comparison_operator == "GREATER_THAN" &&
      toset(n.subscriber_email_addresses) == toset(["ml-lead@example.com", "finops@example.com"]) &&
      toset(n.subscriber_sns_topic_arns) == toset([aws_sns_topic.this.arn])
    ])
    error_message = "Every notification must be a percentage threshold sent to the emails and the topic."
  }
}

run "custom_thresholds" {
  command = plan

  variables {
    thresholds_pct = [25, 50, 75, 100, 150]
  }

  assert {
    condition     = length(aws_budgets_budget.this.notification) == 10
    error_message = "5 thresholds must give 10 notifications (the AWS maximum)."
  }

  assert {
    condition     = toset([for n in aws_budgets_budget.this.notification : n.threshold if n.notification_type == "FORECASTED"]) == toset([25, 50, 75, 100, 150])
    error_message = "FORECASTED notifications must follow thresholds_pct."
  }
}

run "topic_encrypted_and_publishable_by_budgets_and_anomalies" {
  command = plan

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == var.kms_key_arn
    error_message = "The topic must be encrypted with kms_key_arn when given."
  }

  assert {
    condition = jsonencode(one([
      for s in jsondecode(aws_sns_topic_policy.this.policy).Statement : s if s.Sid == "AllowBudgetsPublish"
      ])) == jsonencode({
      Sid       = "AllowBudgetsPublish"
      Effect    = "Allow"
      Principal = { Service = "budgets.amazonaws.com" }
      Action    = "SNS:Publish"
      Resource  = "arn:aws:sns:eu-west-1:123456789012:fraud-scoring-dev-budget-alerts"
      Condition = {
        StringEquals = { "aws:SourceAccount" = "123456789012" }
        ArnLike      = { "aws:SourceArn" = "arn:aws:budgets::123456789012:*" }
      }
    })
    error_message = "The topic policy must let AWS Budgets of this account publish."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_sns_topic_policy.this.policy).Statement : s if s.Sid == "AllowCostAnomalyDetectionPublish"
    ]).Principal.Service == "costalerts.amazonaws.com"
    error_message = "The topic policy must let Cost Anomaly Detection publish."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_sns_topic_policy.this.policy).Statement : s if s.Sid == "DenyInsecureTransport"
    ]).Condition.Bool["aws:SecureTransport"] == "false"
    error_message = "The topic policy must deny publishing without TLS."
  }
}

run "topic_without_sse_when_no_key" {
  command = plan

  variables {
    kms_key_arn = null
  }

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == null
    error_message = "Without kms_key_arn the topic must not use alias/aws/sns (Budgets cannot publish to it)."
  }
}

run "service_anomaly_monitor_with_email_and_sns_subscriptions" {
  command = plan

  assert {
    condition     = length(aws_ce_anomaly_monitor.this) == 1 && aws_ce_anomaly_monitor.this[0].monitor_type == "DIMENSIONAL" && aws_ce_anomaly_monitor.this[0].monitor_dimension == "SERVICE"
    error_message = "By default a DIMENSIONAL SERVICE anomaly monitor must be created."
  }

  assert {
    condition     = output.anomaly_monitor_arn == "arn:aws:ce::123456789012:anomalymonitor/11111111-2222-3333-4444-555555555555"
    error_message = "anomaly_monitor_arn must expose the created monitor."
  }

  assert {
    condition     = length(aws_ce_anomaly_subscription.email) == 1 && aws_ce_anomaly_subscription.email[0].frequency == "DAILY"
    error_message = "Emails must get a DAILY anomaly subscription."
  }

  assert {
    condition = toset([for s in aws_ce_anomaly_subscription.email[0].subscriber : "${s.type}:${s.address}"]) == toset([
      "EMAIL:ml-lead@example.com", "EMAIL:finops@example.com",
    ])
    error_message = "Every alert email must be an EMAIL subscriber."
  }

  assert {
    condition = alltrue([
      for sub in [aws_ce_anomaly_subscription.email[0], aws_ce_anomaly_subscription.sns[0]] : alltrue([
        for te in sub.threshold_expression : alltrue([
          for d in te.dimension : d.key == "ANOMALY_TOTAL_IMPACT_ABSOLUTE" && tolist(d.match_options) == tolist(["GREATER_THAN_OR_EQUAL"]) && tolist(d.values) == tolist(["100"])
        ]) && length(te.dimension) == 1
      ]) && length(sub.threshold_expression) == 1
    ])
    error_message = "Subscriptions must alert on ANOMALY_TOTAL_IMPACT_ABSOLUTE >= anomaly_threshold_usd."
  }

  assert {
    condition     = aws_ce_anomaly_subscription.sns[0].frequency == "IMMEDIATE" && one(aws_ce_anomaly_subscription.sns[0].subscriber).type == "SNS" && one(aws_ce_anomaly_subscription.sns[0].subscriber).address == aws_sns_topic.this.arn
    error_message = "The topic must get an IMMEDIATE anomaly subscription."
  }
}

run "anomaly_threshold_is_configurable" {
  command = plan

  variables {
    anomaly_threshold_usd = 250
  }

  assert {
    condition     = one(one(aws_ce_anomaly_subscription.email[0].threshold_expression).dimension).values == toset(["250"])
    error_message = "anomaly_threshold_usd must set the subscription threshold."
  }
}

run "no_email_subscription_without_emails" {
  command = plan

  variables {
    alert_emails = []
  }

  assert {
    condition     = length(aws_ce_anomaly_subscription.email) == 0
    error_message = "Without alert_emails there must be no email anomaly subscription (AWS requires a subscriber)."
  }

  assert {
    condition     = alltrue([for n in aws_budgets_budget.this.notification : length(n.subscriber_email_addresses) == 0 && length(n.subscriber_sns_topic_arns) == 1])
    error_message = "Without alert_emails notifications must still go to the topic."
  }
}

run "tag_monitor_when_requested" {
  command = plan

  variables {
    anomaly_monitor_type = "TAG"
  }

  assert {
    condition     = aws_ce_anomaly_monitor.this[0].monitor_type == "CUSTOM" && aws_ce_anomaly_monitor.this[0].monitor_dimension == null
    error_message = "TAG must create a CUSTOM monitor."
  }

  assert {
    condition     = jsondecode(aws_ce_anomaly_monitor.this[0].monitor_specification).Tags.Key == "project" && jsondecode(aws_ce_anomaly_monitor.this[0].monitor_specification).Tags.Values == ["fraud-scoring"]
    error_message = "The CUSTOM monitor must select the cost allocation tag."
  }
}

run "existing_monitor_is_reused" {
  command = plan

  variables {
    existing_anomaly_monitor_arn = "arn:aws:ce::123456789012:anomalymonitor/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  }

  assert {
    condition     = length(aws_ce_anomaly_monitor.this) == 0
    error_message = "No monitor may be created when an existing one is given (AWS allows one SERVICE monitor per account)."
  }

  assert {
    condition     = aws_ce_anomaly_subscription.sns[0].monitor_arn_list == tolist(["arn:aws:ce::123456789012:anomalymonitor/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"]) && output.anomaly_monitor_arn == "arn:aws:ce::123456789012:anomalymonitor/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    error_message = "Subscriptions and the output must use the existing monitor."
  }
}

run "no_anomaly_detection_outside_the_account_owner" {
  command = plan

  variables {
    enable_anomaly_detection = false
  }

  assert {
    condition     = length(aws_ce_anomaly_monitor.this) == 0 && length(aws_ce_anomaly_subscription.sns) == 0 && length(aws_ce_anomaly_subscription.email) == 0 && output.anomaly_monitor_arn == null
    error_message = "Only the root owning the account's singletons may create the AWS-services monitor (one per account) and its subscriptions."
  }

  assert {
    condition     = aws_budgets_budget.this.budget_type == "COST"
    error_message = "The environment budget stays when anomaly detection belongs to another root."
  }
}

run "zero_limit_is_rejected" {
  command = plan

  variables {
    monthly_limit_usd = 0
  }

  expect_failures = [var.monthly_limit_usd]
}

run "negative_limit_is_rejected" {
  command = plan

  variables {
    monthly_limit_usd = -10
  }

  expect_failures = [var.monthly_limit_usd]
}

run "threshold_below_1_is_rejected" {
  command = plan

  variables {
    thresholds_pct = [0, 80]
  }

  expect_failures = [var.thresholds_pct]
}

run "threshold_above_1000_is_rejected" {
  command = plan

  variables {
    thresholds_pct = [80, 1001]
  }

  expect_failures = [var.thresholds_pct]
}

run "more_than_5_thresholds_is_rejected" {
  command = plan

  variables {
    thresholds_pct = [10, 20, 30, 40, 50, 60]
  }

  expect_failures = [var.thresholds_pct]
}

run "duplicate_thresholds_are_rejected" {
  command = plan

  variables {
    thresholds_pct = [80, 80]
  }

  expect_failures = [var.thresholds_pct]
}

run "tag_key_with_user_prefix_is_rejected" {
  command = plan

  variables {
    cost_allocation_tag = { key = "user:project", value = "fraud-scoring" }
  }

  expect_failures = [var.cost_allocation_tag]
}

run "aws_managed_sns_alias_is_rejected" {
  command = plan

  variables {
    kms_key_arn = "alias/aws/sns"
  }

  expect_failures = [var.kms_key_arn]
}

run "more_than_10_emails_is_rejected" {
  command = plan

  variables {
    alert_emails = [for i in range(11) : "user${i}@example.com"]
  }

  expect_failures = [var.alert_emails]
}

run "zero_anomaly_threshold_is_rejected" {
  command = plan

  variables {
    anomaly_threshold_usd = 0
  }

  expect_failures = [var.anomaly_threshold_usd]
}
