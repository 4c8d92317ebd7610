output "backend_config" {
  description = "Settings for the S3 backend block (bucket, region, encrypt, kms_key_id, use_lockfile = S3-native locking); add a per-root key."
  value = {
    bucket       = aws_s3_bucket.this.bucket
    region       = aws_s3_bucket.this.region
    encrypt      = true
    kms_key_id   = local.kms_key_arn
    use_lockfile = true
  }
}

output "bucket_arn" {
  description = "ARN of the Terraform state bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_name" {
  description = "Name of the Terraform state bucket."
  value       = aws_s3_bucket.this.bucket
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the state (created or passed in)."
  value       = local.kms_key_arn
}

output "logs_bucket_name" {
  description = "Name of the access-log bucket of the state bucket."
  value       = aws_s3_bucket.logs.bucket
}
