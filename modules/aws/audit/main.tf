data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  trail_name = var.name
  # Built from parts (not read from aws_cloudtrail.this) so the bucket policy, topic policy
  # and IAM trust policy can name the trail before it exists without a dependency cycle.
  trail_arn = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"

  bucket_name    = "${var.name}-trail-${local.account_id}"
  trail_bucket   = one(concat(aws_s3_bucket.trail, aws_s3_bucket.trail_destroyable))
  log_group_name = "/aws/cloudtrail/${var.name}"

  # Object-level S3 events, only for the buckets the caller lists.
  data_event_arn_prefixes = [for arn in var.data_event_bucket_arns : "${arn}/"]
}

resource "aws_cloudtrail" "this" {
  #checkov:skip=CKV_AWS_67:A root that does not own its account's management trail records only its own buckets' data events, in its own region (AWS refuses a multi-region trail without global service events); the owner root's trail is multi-region (include_management_events = true; tests/unit/test_accounts.py). [owner=mlgen-modules expires=2027-12-01]
  name           = local.trail_name
  s3_bucket_name = local.trail_bucket.id
  # A data-events-only trail records this region's buckets: single-region, without global service
  # events (AWS refuses a multi-region trail without them: InvalidParameterCombinationException).
  is_multi_region_trail         = var.is_multi_region && var.include_management_events
  include_global_service_events = var.include_management_events
  enable_log_file_validation    = true
  enable_logging                = true
  kms_key_id                    = var.kms_key_arn
  sns_topic_name                = aws_sns_topic.this.name # AWS reads back the name: an ARN here is a diff on every plan
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.this.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.cloudtrail_logs.arn

  # Management events (read and write), once per account: in the root that owns the account's trail.
  dynamic "advanced_event_selector" {
    for_each = var.include_management_events ? [1] : []

    content {
      name = "Management events"

      field_selector {
        field  = "eventCategory"
        equals = ["Management"]
      }
    }
  }

  dynamic "advanced_event_selector" {
    for_each = length(var.data_event_bucket_arns) > 0 ? [1] : []

    content {
      name = "S3 object-level events for selected buckets"

      field_selector {
        field  = "eventCategory"
        equals = ["Data"]
      }

      field_selector {
        field  = "resources.type"
        equals = ["AWS::S3::Object"]
      }

      field_selector {
        field       = "resources.ARN"
        starts_with = local.data_event_arn_prefixes
      }
    }
  }

  tags = merge(var.tags, { Name = local.trail_name })

  # CloudTrail checks the bucket policy, the topic policy and the role when the trail is created.
  depends_on = [
    aws_s3_bucket_policy.trail,
    aws_sns_topic_policy.this,
    aws_iam_role_policy.cloudtrail_logs,
  ]
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.retention_days
  kms_key_id        = var.kms_key_arn

  tags = merge(var.tags, { Name = local.log_group_name })
}

# Receives CloudTrail log-file delivery notifications (for automation) and the security
# alarms; email subscribers get only the alarms (see the filter policy below).
resource "aws_sns_topic" "this" {
  name              = "${var.name}-audit"
  kms_master_key_id = var.kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-audit" })
}

resource "aws_sns_topic_policy" "this" {
  arn = aws_sns_topic.this.arn

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowCloudTrailPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "SNS:Publish"
        Resource  = aws_sns_topic.this.arn
        Condition = {
          StringEquals = { "aws:SourceArn" = local.trail_arn }
        }
      },
      {
        Sid       = "AllowCloudWatchAlarmsPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "SNS:Publish"
        Resource  = aws_sns_topic.this.arn
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:*" }
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

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value

  # CloudTrail publishes one notification per delivered log file (many per hour). Only
  # CloudWatch alarm messages, whose JSON body carries "AlarmName", reach people.
  filter_policy_scope = "MessageBody"
  filter_policy = jsonencode({
    AlarmName = [{ exists = true }]
  })
}
