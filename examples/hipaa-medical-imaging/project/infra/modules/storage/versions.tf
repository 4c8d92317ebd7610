terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = ">= 5.80, < 7.0"
      configuration_aliases = [aws.dr]
    }
  }
}
