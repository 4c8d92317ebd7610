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

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
      id   = "eu-west-1"
    }
  }

  mock_resource "aws_s3_bucket" {
    override_during = plan
    defaults = {
      id  = "fraud-scoring-dev-trail-123456789012"
      arn = "arn:aws:s3:::fraud-scoring-dev-trail-123456789012"
    }
  }

  mock_resource "aws_cloudwatch_log_group" {
    override_during = plan
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/fraud-scoring-dev"
    }
  }

  mock_resource "aws_sns_topic" {
    override_during = plan
    defaults = {
      arn = "arn:aws:sns:eu-west-1:123456789012:fraud-scoring-dev-audit"
    }
  }

  mock_resource "aws_iam_role" {
    override_during = plan
    defaults = {
      arn = "arn:aws:iam::123456789012:role/fraud-scoring-dev-cloudtrail-logs"
    }
  }

  mock_resource "aws_cloudtrail" {
    override_during = plan
    defaults = {
      arn = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/fraud-scoring-dev"
    }
  }
}

variables {
  name        = "fraud-scoring-dev"
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111"
}

run "defaults_secure_multi_region_trail" {
  command = plan

  assert {
    condition     = aws_cloudtrail.this.is_multi_region_trail == true
    error_message = "The trail must be multi-region by default."
  }

  assert {
    condition     = aws_cloudtrail.this.include_global_service_events == true
    error_message = "The trail must include global service events (IAM, STS, CloudFront)."
  }

  assert {
    condition     = aws_cloudtrail.this.enable_log_file_validation == true
    error_message = "Log file validation must be on."
  }

  assert {
    condition     = aws_cloudtrail.this.enable_logging == true
    error_message = "The trail must be logging."
  }

  assert {
    condition     = aws_cloudtrail.this.kms_key_id == var.kms_key_arn
    error_message = "Trail log files must be encrypted with the given KMS key."
  }

  assert {
    condition     = aws_cloudtrail.this.sns_topic_name == aws_sns_topic.this.name
    error_message = "The trail must notify the audit topic by name (CloudTrail reads back SnsTopicName; an ARN is a diff on every plan)."
  }

  assert {
    condition     = aws_cloudtrail.this.cloud_watch_logs_group_arn == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/fraud-scoring-dev:*"
    error_message = "The trail must deliver to the module's log group."
  }

  assert {
    condition     = aws_cloudtrail.this.cloud_watch_logs_role_arn == aws_iam_role.cloudtrail_logs.arn
    error_message = "The trail must use the module's CloudWatch Logs role."
  }

  assert {
    condition     = aws_cloudtrail.this.s3_bucket_name == aws_s3_bucket.trail[0].id
    error_message = "The trail must write to its own bucket."
  }

  assert {
    condition     = output.trail_arn == "arn:aws:cloudtrail:eu-west-1:123456789012:trail/fraud-scoring-dev" && output.sns_topic_arn == aws_sns_topic.this.arn && output.log_group_name == "/aws/cloudtrail/fraud-scoring-dev" && output.trail_bucket_name == "fraud-scoring-dev-trail-123456789012"
    error_message = "Outputs must expose the trail, topic, log group and bucket."
  }
}

run "no_data_events_by_default" {
  command = plan

  assert {
    condition     = length(aws_cloudtrail.this.advanced_event_selector) == 1
    error_message = "Without data_event_bucket_arns only the management-events selector may exist."
  }

  assert {
    condition = anytrue([
      for fs in aws_cloudtrail.this.advanced_event_selector[0].field_selector : fs.field == "eventCategory" && fs.equals == tolist(["Management"])
    ])
    error_message = "Management events must always be recorded."
  }

  assert {
    condition     = length(aws_cloudtrail.this.event_selector) == 0
    error_message = "Basic event selectors must not be mixed with advanced ones."
  }
}

run "s3_data_events_for_given_buckets" {
  command = plan

  variables {
    data_event_bucket_arns = ["arn:aws:s3:::fraud-data-123", "arn:aws:s3:::fraud-artifacts-123"]
  }

  assert {
    condition     = length(aws_cloudtrail.this.advanced_event_selector) == 2
    error_message = "Data event bucket ARNs must add one data-events selector next to the management selector."
  }

  assert {
    condition = anytrue([
      for fs in aws_cloudtrail.this.advanced_event_selector[1].field_selector : fs.field == "eventCategory" && fs.equals == tolist(["Data"])
    ])
    error_message = "The second selector must select data events."
  }

  assert {
    condition = anytrue([
      for fs in aws_cloudtrail.this.advanced_event_selector[1].field_selector : fs.field == "resources.type" && fs.equals == tolist(["AWS::S3::Object"])
    ])
    error_message = "The data-events selector must select S3 objects."
  }

  assert {
    condition = anytrue([
      for fs in aws_cloudtrail.this.advanced_event_selector[1].field_selector :
      fs.field == "resources.ARN" && toset(fs.starts_with) == toset(["arn:aws:s3:::fraud-data-123/", "arn:aws:s3:::fraud-artifacts-123/"])
    ])
    error_message = "The data-events selector must be limited to objects of the given buckets."
  }
}

run "data_events_only_trail_without_management_events" {
  command = plan

  variables {
    include_management_events = false
    data_event_bucket_arns    = ["arn:aws:s3:::fraud-data-123"]
  }

  assert {
    condition     = length(aws_cloudtrail.this.advanced_event_selector) == 1 && !aws_cloudtrail.this.include_global_service_events && !aws_cloudtrail.this.is_multi_region_trail
    error_message = "A root sharing its account's management trail must record only data events (a second management trail bills every event again)."
  }

  assert {
    condition = anytrue([
      for fs in aws_cloudtrail.this.advanced_event_selector[0].field_selector : fs.field == "eventCategory" && fs.equals == tolist(["Data"])
    ])
    error_message = "The only selector must select data events."
  }
}

run "trail_without_any_events_is_refused" {
  command = plan

  variables {
    include_management_events = false
  }

  expect_failures = [var.include_management_events]
}

run "single_region_when_requested" {
  command = plan

  variables {
    is_multi_region = false
  }

  assert {
    condition     = aws_cloudtrail.this.is_multi_region_trail == false
    error_message = "is_multi_region = false must create a single-region trail."
  }
}

run "log_group_encrypted_with_retention" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn
    error_message = "The log group must be KMS-encrypted."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 365
    error_message = "Default log retention must be 365 days."
  }

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == var.kms_key_arn
    error_message = "The audit topic must be KMS-encrypted."
  }
}

run "retention_applies_to_logs_and_bucket" {
  command = plan

  variables {
    retention_days = 2192
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 2192
    error_message = "retention_days must set the log group retention."
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.trail.rule[0].expiration[0].days == 2192
    error_message = "retention_days must set the trail file expiry in S3."
  }
}

run "trail_bucket_is_locked_down" {
  command = plan

  assert {
    condition     = aws_s3_bucket_versioning.trail.versioning_configuration[0].status == "Enabled"
    error_message = "The trail bucket must be versioned."
  }

  assert {
    condition = anytrue([
      for r in aws_s3_bucket_server_side_encryption_configuration.trail.rule : anytrue([
        for d in r.apply_server_side_encryption_by_default : d.sse_algorithm == "aws:kms" && d.kms_master_key_id == var.kms_key_arn
      ])
    ])
    error_message = "The trail bucket must default to SSE-KMS with the given key."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.trail.block_public_acls &&
      aws_s3_bucket_public_access_block.trail.block_public_policy &&
      aws_s3_bucket_public_access_block.trail.ignore_public_acls &&
      aws_s3_bucket_public_access_block.trail.restrict_public_buckets
    )
    error_message = "All four public access block settings must be on."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.trail.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled on the trail bucket."
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.trail.rule[0].expiration[0].days == 365 && aws_s3_bucket_lifecycle_configuration.trail.rule[0].abort_incomplete_multipart_upload[0].days_after_initiation == 7 && aws_s3_bucket_lifecycle_configuration.trail.rule[0].noncurrent_version_expiration[0].noncurrent_days == 90
    error_message = "Lifecycle must expire logs after retention_days, expire noncurrent versions and abort incomplete uploads."
  }

  assert {
    condition     = aws_s3_bucket_notification.trail.eventbridge == true
    error_message = "Bucket events must go to EventBridge."
  }

  assert {
    condition     = aws_s3_bucket.trail[0].force_destroy == false
    error_message = "The trail bucket must never be force-destroyed."
  }
}

run "bucket_policy_tls_only_and_trail_scoped" {
  command = plan

  assert {
    condition = jsonencode(one([
      for s in jsondecode(aws_s3_bucket_policy.trail.policy).Statement : s if s.Sid == "DenyInsecureTransport"
      ])) == jsonencode({
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::fraud-scoring-dev-trail-123456789012", "arn:aws:s3:::fraud-scoring-dev-trail-123456789012/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    })
    error_message = "The bucket policy must deny every non-TLS request."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_s3_bucket_policy.trail.policy).Statement :
      try(s.Condition.StringEquals["aws:SourceArn"], null) == "arn:aws:cloudtrail:eu-west-1:123456789012:trail/fraud-scoring-dev" if s.Effect == "Allow"
    ])
    error_message = "Every CloudTrail grant must be limited to this trail with aws:SourceArn."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_s3_bucket_policy.trail.policy).Statement : s if s.Sid == "AWSCloudTrailWrite"
    ]).Resource == "arn:aws:s3:::fraud-scoring-dev-trail-123456789012/AWSLogs/123456789012/*"
    error_message = "CloudTrail may only write under AWSLogs/<account>/."
  }
}

run "cloudtrail_role_is_least_privilege" {
  command = plan

  assert {
    condition     = jsondecode(aws_iam_role.cloudtrail_logs.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceArn"] == "arn:aws:cloudtrail:eu-west-1:123456789012:trail/fraud-scoring-dev"
    error_message = "Only this trail may assume the CloudWatch Logs role."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.cloudtrail_logs.policy).Statement[0].Resource == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/fraud-scoring-dev:log-stream:*"
    error_message = "The role may only write streams of the trail's log group."
  }

  assert {
    condition     = toset(jsondecode(aws_iam_role_policy.cloudtrail_logs.policy).Statement[0].Action) == toset(["logs:CreateLogStream", "logs:PutLogEvents"])
    error_message = "The role may only create streams and put events."
  }
}

run "topic_policy_scoped_publishers" {
  command = plan

  assert {
    condition = one([
      for s in jsondecode(aws_sns_topic_policy.this.policy).Statement : s if s.Sid == "AllowCloudTrailPublish"
    ]).Condition.StringEquals["aws:SourceArn"] == "arn:aws:cloudtrail:eu-west-1:123456789012:trail/fraud-scoring-dev"
    error_message = "Only this trail may publish delivery notifications."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_sns_topic_policy.this.policy).Statement : s if s.Sid == "AllowCloudWatchAlarmsPublish"
    ]).Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    error_message = "Only alarms of this account may publish."
  }
}

run "no_email_subscriptions_by_default" {
  command = plan

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "No subscriptions without alert_emails."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.security) == 14 && length(aws_cloudwatch_log_metric_filter.security) == 14
    error_message = "The 14 CIS metric filters and alarms must exist by default."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.security : a.alarm_actions == toset([aws_sns_topic.this.arn])])
    error_message = "Every security alarm must notify the audit topic."
  }
}

run "email_subscriptions_receive_only_alarms" {
  command = plan

  variables {
    alert_emails = ["secops@example.com", "ml-lead@example.com"]
  }

  assert {
    condition     = toset(keys(aws_sns_topic_subscription.email)) == toset(["secops@example.com", "ml-lead@example.com"])
    error_message = "One email subscription per address."
  }

  assert {
    condition = alltrue([
      for s in aws_sns_topic_subscription.email : s.protocol == "email" && s.filter_policy_scope == "MessageBody" && jsondecode(s.filter_policy) == { AlarmName = [{ exists = true }] }
    ])
    error_message = "Email subscribers must only receive alarm messages, not per-file delivery notifications."
  }
}

run "security_alarms_can_be_disabled" {
  command = plan

  variables {
    enable_security_alarms = false
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.security) == 0 && length(aws_cloudwatch_log_metric_filter.security) == 0
    error_message = "enable_security_alarms = false must remove the metric filters and alarms."
  }
}

run "retention_below_one_year_is_rejected" {
  command = plan

  variables {
    retention_days = 90
  }

  expect_failures = [var.retention_days]
}

run "retention_not_a_cloudwatch_value_is_rejected" {
  command = plan

  variables {
    retention_days = 500
  }

  expect_failures = [var.retention_days]
}

run "kms_alias_is_rejected" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/fraud-scoring-dev-logs"
  }

  expect_failures = [var.kms_key_arn]
}

run "object_arn_as_data_event_bucket_is_rejected" {
  command = plan

  variables {
    data_event_bucket_arns = ["arn:aws:s3:::fraud-data-123/raw/"]
  }

  expect_failures = [var.data_event_bucket_arns]
}

run "invalid_email_is_rejected" {
  command = plan

  variables {
    alert_emails = ["not-an-email"]
  }

  expect_failures = [var.alert_emails]
}

run "invalid_name_is_rejected" {
  command = plan

  variables {
    name = "Audit_Trail"
  }

  expect_failures = [var.name]
}

run "destroyable_sandbox_trail_bucket" {
  command = plan

  variables {
    destroyable = true
  }

  assert {
    condition     = length(aws_s3_bucket.trail) == 0 && aws_s3_bucket.trail_destroyable[0].force_destroy == true && aws_cloudtrail.this.s3_bucket_name == aws_s3_bucket.trail_destroyable[0].id
    error_message = "A destroyable sandbox's trail bucket has no prevent_destroy, is force-destroyed and still receives the trail."
  }
}
