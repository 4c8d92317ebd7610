provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

# Disaster-recovery region (replicas of data and artifacts). Without a DR region it points at the
# primary region and nothing is created through it.
provider "aws" {
  alias  = "dr"
  region = var.dr_region

  default_tags {
    tags = local.tags
  }
}
