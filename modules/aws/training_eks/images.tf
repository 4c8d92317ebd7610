# ECR pull-through cache: in a VPC without internet egress the nodes cannot reach public
# registries, so images come through ECR (reached over the ecr.api / ecr.dkr / s3 endpoints).
# Upstreams that need no credentials only. Docker Hub and GitHub Container Registry need an
# upstream credential in Secrets Manager (a secret named ecr-pullthroughcache/<name>) and are
# not configured here: the generated manifests use no image from them.
locals {
  image_upstreams = {
    "registry.k8s.io" = "k8s"
    "public.ecr.aws"  = "ecr-public"
    "quay.io"         = "quay"
  }

  ecr_registry = "${local.account_id}.dkr.ecr.${data.aws_region.current.name}.amazonaws.com"

  image_registries = {
    for upstream, short in local.image_upstreams : upstream => (
      var.image_cache.enabled ? "${local.ecr_registry}/${var.image_cache.prefix}/${short}" : upstream
    )
  }
}

resource "aws_ecr_pull_through_cache_rule" "this" {
  for_each = var.image_cache.enabled ? local.image_upstreams : {}

  ecr_repository_prefix = "${var.image_cache.prefix}/${each.value}"
  upstream_registry_url = each.key
}

# The first pull of an image creates its cache repository and imports it: the node role needs
# these two actions on the cache prefix (AmazonEC2ContainerRegistryPullOnly has neither).
resource "aws_iam_role_policy" "node_image_cache" {
  count = var.image_cache.enabled ? 1 : 0

  name = "pull-through-cache"
  role = aws_iam_role.node.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "FillPullThroughCache"
      Effect   = "Allow"
      Action   = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]
      Resource = "arn:${local.partition}:ecr:${data.aws_region.current.name}:${local.account_id}:repository/${var.image_cache.prefix}/*"
    }]
  })
}
