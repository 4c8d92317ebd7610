output "alias_names" {
  description = "Map of purpose to key alias name (alias/<name>-<purpose>)."
  value       = { for purpose, alias in aws_kms_alias.this : purpose => alias.name }
}

output "key_arns" {
  description = "Map of purpose to KMS key ARN, e.g. key_arns[\"data\"]."
  value       = { for purpose, key in aws_kms_key.this : purpose => key.arn }
}

output "key_ids" {
  description = "Map of purpose to KMS key ID."
  value       = { for purpose, key in aws_kms_key.this : purpose => key.key_id }
}
