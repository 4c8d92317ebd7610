output "apply_role_arn" {
  description = "apply role arn"
  value       = module.ci.apply_role_arn
}

output "plan_role_arn" {
  description = "plan role arn"
  value       = module.ci.plan_role_arn
}

output "state_bucket" {
  description = "state bucket"
  value       = module.state.bucket_name
}

output "state_kms_key_arn" {
  description = "state kms key arn"
  value       = module.state.kms_key_arn
}

