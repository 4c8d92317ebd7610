output "domain_arn" {
  description = "ARN of the SageMaker Studio domain."
  value       = aws_sagemaker_domain.this.arn
}

output "domain_id" {
  description = "ID of the SageMaker Studio domain."
  value       = aws_sagemaker_domain.this.id
}

output "domain_url" {
  description = "URL of the SageMaker Studio domain (sign in through the console or CreatePresignedDomainUrl in IAM auth mode)."
  value       = aws_sagemaker_domain.this.url
}

output "execution_role_arn" {
  description = "ARN of the Studio execution role used by user profiles and spaces."
  value       = aws_iam_role.execution.arn
}

output "execution_role_name" {
  description = "Name of the Studio execution role (to attach extra policies from the env root)."
  value       = aws_iam_role.execution.name
}

output "home_efs_file_system_id" {
  description = "ID of the EFS file system holding the users' home directories (retained on domain deletion)."
  value       = aws_sagemaker_domain.this.home_efs_file_system_id
}

output "security_group_id" {
  description = "ID of the security group created by the module; null when security_group_ids was supplied."
  value       = local.create_security_group ? aws_security_group.this[0].id : null
}

output "security_group_ids" {
  description = "Security groups actually attached to the domain, its users and spaces (the created one or security_group_ids)."
  value       = local.security_group_ids
}

output "user_profile_arns" {
  description = "Map of user profile name to its ARN."
  value       = { for u, p in aws_sagemaker_user_profile.this : u => p.arn }
}
