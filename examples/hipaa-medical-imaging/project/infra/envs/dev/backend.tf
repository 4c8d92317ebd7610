# Remote state in the bucket made by infra/bootstrap, with S3-native locking (no DynamoDB table).
# After `terraform -chdir=infra/bootstrap apply`, run `make backend ENV=dev` (writes
# backend.hcl from the bootstrap outputs), then `terraform init -backend-config=backend.hcl`.
terraform {
  backend "s3" {
    key          = "envs/dev/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
