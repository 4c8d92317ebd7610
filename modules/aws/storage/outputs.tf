output "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket."
  value       = aws_s3_bucket.artifacts.arn
}

output "artifacts_bucket_name" {
  description = "Name of the artifacts bucket."
  value       = aws_s3_bucket.artifacts.bucket
}

output "data_bucket_arn" {
  description = "ARN of the data bucket."
  value       = local.data_bucket.arn
}

output "data_bucket_name" {
  description = "Name of the data bucket."
  value       = local.data_bucket.bucket
}

output "dr_bucket_arns" {
  description = "ARNs of the DR replica buckets by purpose (data, artifacts); empty when replication is off."
  value       = { for k, b in local.dr_content_buckets : k => b.arn }
}

output "dr_kms_key_arn" {
  description = "KMS key that encrypts the DR replicas; null when replication is off."
  value       = local.dr_kms_key_arn
}

output "fsx_file_system_id" {
  description = "ID of the FSx for Lustre file system; null when enable_fsx is false."
  value       = one(aws_fsx_lustre_file_system.this[*].id)
}

output "fsx_mount_name" {
  description = "Lustre mount name of the file system (mount <dns_name>@tcp:/<mount_name>); null when enable_fsx is false."
  value       = one(aws_fsx_lustre_file_system.this[*].mount_name)
}

output "fsx_dns_name" {
  description = "DNS name of the FSx for Lustre file system; null when enable_fsx is false."
  value       = one(aws_fsx_lustre_file_system.this[*].dns_name)
}

output "fsx_security_group_id" {
  description = "Security group the module created for FSx (attach it to Lustre clients); null when enable_fsx is false or fsx_security_group_ids was given."
  value       = one(aws_security_group.fsx[*].id)
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the data and artifacts buckets (created or passed in)."
  value       = local.kms_key_arn
}

output "logs_bucket_arn" {
  description = "ARN of the S3 server access log bucket."
  value       = aws_s3_bucket.logs.arn
}

output "logs_bucket_name" {
  description = "Name of the S3 server access log bucket."
  value       = aws_s3_bucket.logs.bucket
}
