output "async_error_topic_arn" {
  description = "SNS topic for failed async inferences (null unless mode = async)."
  value       = one(aws_sns_topic.async_error[*].arn)
}

output "async_output_path" {
  description = "S3 URI async results are written to (null unless mode = async)."
  value       = local.is_async ? local.async_output_path : null
}

output "async_success_topic_arn" {
  description = "SNS topic for successful async inferences (null unless mode = async)."
  value       = one(aws_sns_topic.async_success[*].arn)
}

output "endpoint_arn" {
  description = "ARN of the endpoint (null while model_image is null)."
  value       = one(aws_sagemaker_endpoint.this[*].arn)
}

output "endpoint_config_name" {
  description = "Name of the current endpoint configuration (null while model_image is null)."
  value       = one(aws_sagemaker_endpoint_configuration.this[*].name)
}

output "endpoint_name" {
  description = "Name of the SageMaker endpoint (null while model_image is null)."
  value       = one(aws_sagemaker_endpoint.this[*].name)
}

output "execution_role_arn" {
  description = "ARN of the SageMaker execution role used by the model."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the endpoint containers."
  value       = aws_cloudwatch_log_group.this.name
}

output "model_created" {
  description = "Whether a model (and endpoint) was created, i.e. model_image was set."
  value       = local.create_model
}

output "model_name" {
  description = "Name of the SageMaker model (null while model_image is null)."
  value       = one(aws_sagemaker_model.this[*].name)
}

output "sns_topic_arn" {
  description = "SNS topic receiving the endpoint alarms."
  value       = aws_sns_topic.this.arn
}
