terraform {
  # 1.9 or later: validation blocks below compare variables with each other.
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.x: aws_region's `region` attribute (5.x called it `name`). Arguments were written against the
      # 6.x docs; nothing was planned or applied against AWS from this machine (no provider download).
      version = "~> 6.0"
    }
  }
}
