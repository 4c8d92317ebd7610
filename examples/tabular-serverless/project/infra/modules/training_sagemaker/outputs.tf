output "checkpoint_path" {
  description = "S3 URI for training checkpoints (CheckpointConfig.S3Uri): s3://<artifacts bucket>/checkpoints."
  value       = "s3://${local.artifacts_bucket_name}/checkpoints"
}

output "enable_network_isolation" {
  description = "Value to pass as EnableNetworkIsolation when launching training jobs."
  value       = var.enable_network_isolation
}

output "kms_key_arn" {
  description = "KMS key for training volumes and output (the first of kms_key_arns)."
  value       = var.kms_key_arns[0]
}

output "log_group_name" {
  description = "CloudWatch log group SageMaker writes training logs to (/aws/sagemaker/TrainingJobs, fixed by SageMaker)."
  value       = local.log_group_name
}

output "output_path" {
  description = "S3 URI for model artifacts (OutputDataConfig.S3OutputPath): s3://<artifacts bucket>/training."
  value       = "s3://${local.artifacts_bucket_name}/training"
}

output "role_arn" {
  description = "ARN of the SageMaker training execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the SageMaker training execution role."
  value       = aws_iam_role.this.name
}

output "security_group_id" {
  description = "Security group to pass in VpcConfig.SecurityGroupIds of training jobs."
  value       = aws_security_group.this.id
}

output "subnet_ids" {
  description = "Subnets to pass in VpcConfig.Subnets of training jobs."
  value       = var.subnet_ids
}

output "vpc_config" {
  description = "Ready-made VpcConfig for CreateTrainingJob / the SageMaker SDK (subnets and security_group_ids)."
  value = {
    subnets            = var.subnet_ids
    security_group_ids = [aws_security_group.this.id]
  }
}
