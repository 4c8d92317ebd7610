# Role CloudTrail assumes to write the trail's events into the CloudWatch Logs group.
resource "aws_iam_role" "cloudtrail_logs" {
  name        = "${var.name}-cloudtrail-logs"
  description = "Lets CloudTrail trail ${local.trail_name} deliver events to ${local.log_group_name}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CloudTrailAssumeRole"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceArn" = local.trail_arn }
        }
      },
    ]
  })

  tags = merge(var.tags, { Name = "${var.name}-cloudtrail-logs" })
}

resource "aws_iam_role_policy" "cloudtrail_logs" {
  name = "write-trail-log-group"
  role = aws_iam_role.cloudtrail_logs.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "WriteTrailLogStreams"
        Effect = "Allow"
        Action = [
          "logs:CreateLogStream",
          "logs:PutLogEvents",
        ]
        Resource = "${aws_cloudwatch_log_group.this.arn}:log-stream:*"
      },
    ]
  })
}
