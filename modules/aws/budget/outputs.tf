output "anomaly_monitor_arn" {
  description = "ARN of the cost anomaly monitor the subscriptions use (created here, or existing_anomaly_monitor_arn); null when enable_anomaly_detection is false."
  value       = local.anomaly_monitor_arn
}

output "budget_arn" {
  description = "ARN of the monthly cost budget."
  value       = aws_budgets_budget.this.arn
}

output "budget_name" {
  description = "Name of the monthly cost budget."
  value       = aws_budgets_budget.this.name
}

output "sns_topic_arn" {
  description = "ARN of the topic that receives budget notifications and cost anomalies."
  value       = aws_sns_topic.this.arn
}

output "total_budget_name" {
  description = "Name of the project-total budget (null when project_total is null)."
  value       = one(aws_budgets_budget.total[*].name)
}
