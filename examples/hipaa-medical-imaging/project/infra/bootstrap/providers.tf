provider "aws" {
  #checkov:skip=MLGEN_AWS_009:the bootstrap root holds only the state bucket and CI roles; every environment root carries its own budget [owner=mlgen-modules expires=2027-12-01]
  #checkov:skip=MLGEN_AWS_010:the bootstrap root creates no VPC or workloads; interface endpoints live in the environment roots' networks [owner=mlgen-modules expires=2027-12-01]
  region = var.region

  default_tags {
    tags = local.tags
  }
}
