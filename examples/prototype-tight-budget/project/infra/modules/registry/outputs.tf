output "mlflow_role_arn" {
  description = "ARN of the IAM role used by the MLflow tracking server (null when enable_mlflow = false)."
  value       = one(aws_iam_role.mlflow[*].arn)
}

output "mlflow_tracking_server_arn" {
  description = "ARN of the SageMaker managed MLflow tracking server (null when enable_mlflow = false)."
  value       = one(aws_sagemaker_mlflow_tracking_server.this[*].arn)
}

output "mlflow_tracking_server_url" {
  description = "URL of the MLflow tracking server UI/API (null when enable_mlflow = false)."
  value       = one(aws_sagemaker_mlflow_tracking_server.this[*].tracking_server_url)
}

output "model_package_group_arn" {
  description = "ARN of the SageMaker model package group (model registry)."
  value       = aws_sagemaker_model_package_group.this.arn
}

output "model_package_group_name" {
  description = "Name of the SageMaker model package group (model registry), \"<name>-models\"."
  value       = aws_sagemaker_model_package_group.this.model_package_group_name
}

output "repository_arns" {
  description = "Map of repository suffix (e.g. \"training\") to ECR repository ARN."
  value       = { for k, r in aws_ecr_repository.this : k => r.arn }
}

output "repository_urls" {
  description = "Map of repository suffix (e.g. \"training\") to ECR repository URL (<account>.dkr.ecr.<region>.amazonaws.com/<name>-<repo>)."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}
