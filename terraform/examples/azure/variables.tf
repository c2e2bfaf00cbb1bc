variable "name" {
  description = "Short unique name (3-11 lowercase letters and digits) for the module's resources."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group to create for the deployment."
  type        = string
}

variable "location" {
  description = "Azure region with Flex Consumption, e.g. westeurope."
  type        = string
}

variable "workspace_resource_id" {
  description = "Resource ID of the Log Analytics workspace to export from."
  type        = string
}

variable "workspace_id" {
  description = "Workspace ID (customer ID GUID) of the same workspace."
  type        = string
}

variable "tables" {
  description = "Tables to export."
  type        = list(string)
}

variable "entra_client_id" {
  description = "Application (client) ID of the app registration with the app roles LogExport.Read and LogExport.Operate (docs/backfill.md)."
  type        = string
}

variable "entra_tenant_id" {
  description = "Directory (tenant) ID of that app registration."
  type        = string
}
