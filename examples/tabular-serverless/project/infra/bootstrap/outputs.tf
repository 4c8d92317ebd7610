output "state_bucket" {
  description = "state bucket"
  value       = module.state.bucket_name
}

output "state_kms_key_arn" {
  description = "state kms key arn"
  value       = module.state.kms_key_arn
}

