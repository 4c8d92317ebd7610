output "cloudwatch_logs_role_arn" {
  description = "ARN of the IAM role CloudTrail uses to write to the log group."
  value       = aws_iam_role.cloudtrail_logs.arn
}

output "log_group_arn" {
  description = "ARN of the CloudWatch Logs group that receives the trail's events."
  value       = aws_cloudwatch_log_group.this.arn
}

output "log_group_name" {
  description = "Name of the CloudWatch Logs group that receives the trail's events."
  value       = aws_cloudwatch_log_group.this.name
}

output "sns_topic_arn" {
  description = "ARN of the KMS-encrypted audit topic (CloudTrail delivery notifications and security alarms)."
  value       = aws_sns_topic.this.arn
}

output "trail_arn" {
  description = "ARN of the CloudTrail trail."
  value       = aws_cloudtrail.this.arn
}

output "trail_bucket_arn" {
  description = "ARN of the S3 bucket that stores the trail's log files."
  value       = local.trail_bucket.arn
}

output "trail_bucket_name" {
  description = "Name of the S3 bucket that stores the trail's log files."
  value       = local.trail_bucket.id
}
