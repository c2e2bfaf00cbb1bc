# The smallest deployment: only the module's required variables. Region and credentials come from
# the standard AWS chain (AWS_REGION / AWS_PROFILE, or aws configure), see the README.

provider "aws" {}

module "access_log_export" {
  source = "../../modules/aws-access-log-export"

  name            = var.name
  log_group_names = var.log_group_names
  bucket_name     = var.bucket_name

  # What `npm run build` writes, relative to this directory.
  lambda_zip_path = "${path.module}/../../../dist/logexport-lambda.zip"
}
