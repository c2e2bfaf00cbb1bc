variable "name" {
  description = "Short name for every resource (3-32 lowercase letters, digits, hyphens)."
  type        = string
}

variable "log_group_names" {
  description = "CloudWatch log groups holding the Pulp logs."
  type        = list(string)
}

variable "bucket_name" {
  description = "S3 bucket to create for the exports (globally unique)."
  type        = string
}
