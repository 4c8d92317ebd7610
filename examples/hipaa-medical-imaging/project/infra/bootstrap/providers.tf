provider "aws" {
  #checkov:skip=MLGEN_AWS_009:the bootstrap root holds only the state bucket and CI roles; every environment root carries its own budget
  #checkov:skip=MLGEN_AWS_010:the bootstrap root creates no VPC or workloads; interface endpoints live in the environment roots' networks
  region = var.region

  default_tags {
    tags = local.tags
  }
}
