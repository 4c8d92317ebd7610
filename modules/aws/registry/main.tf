# Container registry and model registry for one project environment.
# ECR repositories are immutable, scanned on push and encrypted with the caller's CMK;
# a lifecycle policy bounds storage cost. The model package group is the SageMaker
# model registry that training pipelines register approved models into.

locals {
  repositories = { for r in var.repositories : r => "${var.name}-${r}" }

  # ECR evaluates rules by ascending rulePriority; a rule with tagStatus "any" must have
  # the highest priority number, so the untagged-expiry rule comes first.
  lifecycle_policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images ${var.untagged_image_expiry_days} days after push"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_image_expiry_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep at most ${var.max_image_count} images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.max_image_count
        }
        action = { type = "expire" }
      },
    ]
  })
}

resource "aws_ecr_repository" "this" {
  for_each = local.repositories

  name                 = each.value
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.destroyable # images go with the repository only where the stage allows destroy

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = merge(var.tags, { Name = each.value })
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy     = local.lifecycle_policy
}

resource "aws_sagemaker_model_package_group" "this" {
  model_package_group_name        = "${var.name}-models"
  model_package_group_description = "Model registry for ${var.name}"

  tags = merge(var.tags, { Name = "${var.name}-models" })
}
