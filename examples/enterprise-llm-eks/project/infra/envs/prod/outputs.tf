output "artifacts_bucket" {
  description = "artifacts bucket (used by the Makefile and the training launcher)"
  value       = module.storage.artifacts_bucket_name
}

output "checkpoint_path" {
  description = "checkpoint path (used by the Makefile and the training launcher)"
  value       = "s3://${module.storage.artifacts_bucket_name}/checkpoints"
}

output "data_bucket" {
  description = "data bucket (used by the Makefile and the training launcher)"
  value       = module.storage.data_bucket_name
}

output "eks_cluster_name" {
  description = "eks cluster name (used by the Makefile and the training launcher)"
  value       = module.training.cluster_name
}

output "eks_deployer_role_arn" {
  description = "eks deployer role arn (used by the Makefile and the training launcher)"
  value       = module.training.deployer_role_arn
}

output "eks_kubernetes_version" {
  description = "eks kubernetes version (used by the Makefile and the training launcher)"
  value       = module.training.kubernetes_version
}

output "endpoint_execution_role_arn" {
  description = "endpoint execution role arn (used by the Makefile and the training launcher)"
  value       = module.endpoint.execution_role_arn
}

output "endpoint_name" {
  description = "endpoint name (used by the Makefile and the training launcher)"
  value       = module.endpoint.endpoint_name
}

output "image_registries" {
  description = "image registries (used by the Makefile and the training launcher)"
  value       = module.training.image_registries
}

output "kms_key_arn" {
  description = "kms key arn (used by the Makefile and the training launcher)"
  value       = module.keys.key_arns["data"]
}

output "model_package_group" {
  description = "model package group (used by the Makefile and the training launcher)"
  value       = module.registry.model_package_group_name
}

output "output_path" {
  description = "output path (used by the Makefile and the training launcher)"
  value       = "s3://${module.storage.artifacts_bucket_name}/training"
}

output "serving_repository_url" {
  description = "serving repository url (used by the Makefile and the training launcher)"
  value       = module.registry.repository_urls["serving"]
}

output "training_namespace" {
  description = "training namespace (used by the Makefile and the training launcher)"
  value       = module.training.training_service_account.namespace
}

output "training_repository_url" {
  description = "training repository url (used by the Makefile and the training launcher)"
  value       = module.registry.repository_urls["training"]
}

output "training_role_arn" {
  description = "training role arn (used by the Makefile and the training launcher)"
  value       = module.training.training_role_arn
}

output "training_service_account" {
  description = "training service account (used by the Makefile and the training launcher)"
  value       = module.training.training_service_account.name
}

