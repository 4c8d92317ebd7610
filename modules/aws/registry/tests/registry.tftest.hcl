mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
  mock_resource "aws_sagemaker_mlflow_tracking_server" {
    defaults = {
      arn                 = "arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/fraud-scoring-dev-mlflow"
      tracking_server_url = "https://t-abc.eu-west-1.experiments.sagemaker.aws"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/fraud-scoring-dev-mlflow" }
  }
}

variables {
  name        = "fraud-scoring-dev"
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000001"
  tags        = { project = "fraud-scoring" }
}

run "repositories_are_immutable_scanned_and_kms_encrypted" {
  command = plan

  variables {
    repositories = ["training", "serving", "batch"]
  }

  assert {
    condition     = length(aws_ecr_repository.this) == 3
    error_message = "One ECR repository per entry of var.repositories expected."
  }

  assert {
    condition     = aws_ecr_repository.this["training"].name == "fraud-scoring-dev-training"
    error_message = "Repositories must be named <name>-<repo>."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.image_tag_mutability == "IMMUTABLE"])
    error_message = "Every repository must have immutable tags."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.image_scanning_configuration[0].scan_on_push])
    error_message = "Every repository must scan images on push."
  }

  assert {
    condition = alltrue([for r in aws_ecr_repository.this :
      r.encryption_configuration[0].encryption_type == "KMS" &&
      r.encryption_configuration[0].kms_key == var.kms_key_arn
    ])
    error_message = "Every repository must be encrypted with the given KMS key."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.force_delete == false])
    error_message = "force_delete must be false so images are never deleted with the repository."
  }

  assert {
    condition     = aws_ecr_repository.this["serving"].tags["project"] == "fraud-scoring"
    error_message = "Caller tags must be merged into resource tags."
  }

  assert {
    condition     = aws_sagemaker_model_package_group.this.model_package_group_name == "fraud-scoring-dev-models"
    error_message = "Model package group must be named <name>-models."
  }
}

run "lifecycle_policy_expires_untagged_and_caps_count" {
  command = plan

  variables {
    untagged_image_expiry_days = 7
    max_image_count            = 30
  }

  assert {
    condition     = length(aws_ecr_lifecycle_policy.this) == 2
    error_message = "Every repository needs a lifecycle policy."
  }

  assert {
    condition = alltrue([for p in aws_ecr_lifecycle_policy.this :
      length(jsondecode(p.policy).rules) == 2
    ])
    error_message = "Lifecycle policy must have exactly two rules."
  }

  assert {
    condition = alltrue([for p in aws_ecr_lifecycle_policy.this : anytrue([for r in jsondecode(p.policy).rules :
      try(r.selection.tagStatus == "untagged" && r.selection.countType == "sinceImagePushed" &&
      r.selection.countUnit == "days" && r.selection.countNumber == 7 && r.action.type == "expire", false)
    ])])
    error_message = "Lifecycle policy must expire untagged images after untagged_image_expiry_days."
  }

  assert {
    condition = alltrue([for p in aws_ecr_lifecycle_policy.this : anytrue([for r in jsondecode(p.policy).rules :
      try(r.selection.tagStatus == "any" && r.selection.countType == "imageCountMoreThan" &&
      r.selection.countNumber == 30 && r.action.type == "expire", false)
    ])])
    error_message = "Lifecycle policy must keep at most max_image_count images."
  }

  assert {
    # ECR rejects a tagStatus=any rule that does not have the highest rulePriority.
    condition = alltrue([for p in aws_ecr_lifecycle_policy.this :
      [for r in jsondecode(p.policy).rules : r.rulePriority if r.selection.tagStatus == "any"][0] ==
      max([for r in jsondecode(p.policy).rules : r.rulePriority]...)
    ])
    error_message = "The tagStatus=any rule must have the highest rulePriority."
  }
}

run "mlflow_off_by_default" {
  command = plan

  assert {
    condition     = length(aws_sagemaker_mlflow_tracking_server.this) == 0 && length(aws_iam_role.mlflow) == 0
    error_message = "No MLflow server or role may exist when enable_mlflow = false."
  }

  assert {
    condition     = output.mlflow_tracking_server_arn == null && output.mlflow_tracking_server_url == null
    error_message = "MLflow outputs must be null when the server is off."
  }
}

run "mlflow_on" {
  command = plan

  variables {
    enable_mlflow         = true
    mlflow_server_size    = "Medium"
    artifacts_bucket_name = "fraud-scoring-dev-artifacts"
    artifacts_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000002"
  }

  assert {
    condition     = length(aws_sagemaker_mlflow_tracking_server.this) == 1
    error_message = "One MLflow tracking server expected when enable_mlflow = true."
  }

  assert {
    condition     = aws_sagemaker_mlflow_tracking_server.this[0].artifact_store_uri == "s3://fraud-scoring-dev-artifacts/mlflow"
    error_message = "Artifact store must be s3://<artifacts bucket>/mlflow."
  }

  assert {
    condition     = aws_sagemaker_mlflow_tracking_server.this[0].tracking_server_size == "Medium"
    error_message = "tracking_server_size must follow mlflow_server_size."
  }

  assert {
    condition     = aws_sagemaker_mlflow_tracking_server.this[0].automatic_model_registration == true
    error_message = "automatic_model_registration must be on."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role.mlflow[0].assume_role_policy).Statement[0].Principal.Service == "sagemaker.amazonaws.com" &&
      jsondecode(aws_iam_role.mlflow[0].assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    )
    error_message = "MLflow role must trust only sagemaker.amazonaws.com from this account."
  }

  assert {
    condition = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.mlflow[0].policy).Statement :
      [for a in flatten([s.Action]) : !strcontains(a, "*")]
    ]))
    error_message = "MLflow role policy must not use wildcard actions."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.mlflow[0].policy).Statement : s.Resource if s.Sid == "ArtifactStoreObjects"][0] == [
      "arn:aws:s3:::fraud-scoring-dev-artifacts/mlflow/*"
    ]
    error_message = "MLflow object access must be scoped to the mlflow/ prefix of the artifacts bucket."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.mlflow[0].policy).Statement : s.Resource if s.Sid == "ArtifactStoreKms"][0] == [
      "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000002"
    ]
    error_message = "MLflow KMS access must be the artifacts bucket key only (not the ECR key)."
  }

  assert {
    condition     = output.mlflow_tracking_server_arn != null
    error_message = "mlflow_tracking_server_arn must be set when the server exists."
  }
}

run "mlflow_requires_artifacts_bucket" {
  command = plan

  variables {
    enable_mlflow = true
  }

  expect_failures = [var.artifacts_bucket_name]
}

run "rejects_bad_server_size" {
  command = plan

  variables {
    mlflow_server_size = "XLarge"
  }

  expect_failures = [var.mlflow_server_size]
}

run "rejects_bad_name" {
  command = plan

  variables {
    name = "Fraud_Scoring"
  }

  expect_failures = [var.name]
}

run "destroyable_sandbox_deletes_images_with_the_repositories" {
  command = plan

  variables {
    destroyable = true
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.force_delete == true])
    error_message = "A destroyable stage must force-delete repositories that still hold images (terraform destroy fails otherwise)."
  }
}
