# One user-assigned identity for the whole app: the code (DefaultAzureCredential with
# ExportStorage__clientId), the queue trigger, the host's own storage, the package download and
# Application Insights ingestion. Each role below is the narrowest built-in role that covers what
# one of them does, at the narrowest scope that role can be assigned at.

resource "azurerm_user_assigned_identity" "this" {
  name                = local.identity_name
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

# Planner and worker run KQL through the query API: Log Analytics Reader on the one workspace.
# (It reads every table of that workspace; table-level RBAC with a custom role would be narrower.)
resource "azurerm_role_assignment" "workspace_reader" {
  scope                            = var.workspace_resource_id
  role_definition_name             = "Log Analytics Reader"
  principal_id                     = azurerm_user_assigned_identity.this.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "logexport: query the exported tables"
}

# Worker: stages and commits parts, deletes parts of an earlier plan. Scoped to each data container
# (one per table with a {table} template), never the account: the containers are all created above,
# so the app never needs to create one (terraform/README.md, Per-table containers).
resource "azurerm_role_assignment" "data_container" {
  for_each = local.data_container_scopes

  scope                            = each.value
  role_definition_name             = "Storage Blob Data Contributor"
  principal_id                     = azurerm_user_assigned_identity.this.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "logexport: write exported parts"
}

# Planner, worker, backfill, status: watermarks (ETag conditions), manifests, ledger (append
# blobs), run records. Scoped to the state container.
resource "azurerm_role_assignment" "state_container" {
  scope                            = local.state_container_scope
  role_definition_name             = "Storage Blob Data Contributor"
  principal_id                     = azurerm_user_assigned_identity.this.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "logexport: watermarks, manifests, ledger, runs"
}

# Planner and backfill send jobs; the queue trigger (host, identity-based ExportStorage
# connection) and the Flex scale controller read, update and delete them. Scoped to the queue.
resource "azurerm_role_assignment" "jobs_queue" {
  scope                            = local.jobs_queue_scope
  role_definition_name             = "Storage Queue Data Contributor"
  principal_id                     = azurerm_user_assigned_identity.this.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "logexport: window jobs"
}

# The host moves a job that failed maxDequeueCount times here. Scoped to the poison queue.
resource "azurerm_role_assignment" "poison_queue" {
  scope                            = local.poison_queue_scope
  role_definition_name             = "Storage Queue Data Contributor"
  principal_id                     = azurerm_user_assigned_identity.this.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "logexport: poison jobs"
}

# The backfill HTTP function sends day jobs; the backfill worker expands them into window jobs,
# defers jobs while the planner's queue is not empty, and the host reads and deletes them.
resource "azurerm_role_assignment" "backfill_queue" {
  scope                            = local.backfill_queue_scope
  role_definition_name             = "Storage Queue Data Contributor"
  principal_id                     = azurerm_user_assigned_identity.this.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "logexport: backfill jobs"
}

resource "azurerm_role_assignment" "backfill_poison_queue" {
  scope                            = local.backfill_poison_scope
  role_definition_name             = "Storage Queue Data Contributor"
  principal_id                     = azurerm_user_assigned_identity.this.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "logexport: poison backfill jobs"
}

# Host storage (AzureWebJobsStorage): the host creates and uses its own containers there (timer
# schedule status and singleton locks as blob leases, function keys), and Flex Consumption reads
# the deployment package from app-package. Storage Blob Data Owner on the host account is what the
# Functions documentation ("Connecting to host storage with an identity") and Microsoft's Flex
# Consumption quickstart (Azure-Samples/functions-quickstart-javascript-azd, infra/app/rbac.bicep)
# assign; no queue or table role is needed for timer, HTTP and queue triggers. The account holds
# nothing but host data.
resource "azurerm_role_assignment" "host_storage" {
  scope                            = azurerm_storage_account.host.id
  role_definition_name             = "Storage Blob Data Owner"
  principal_id                     = azurerm_user_assigned_identity.this.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "logexport: Functions host storage and deployment package"
}

# Application Insights has local (key) authentication disabled; telemetry is sent with the
# identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), which needs this role on the component.
resource "azurerm_role_assignment" "telemetry" {
  scope                            = azurerm_application_insights.this.id
  role_definition_name             = "Monitoring Metrics Publisher"
  principal_id                     = azurerm_user_assigned_identity.this.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "logexport: send telemetry with Entra ID"
}

# Only with hmac_key_secret_uri: read that one secret (the vault must use Azure RBAC).
resource "azurerm_role_assignment" "hmac_secret" {
  count = local.hmac_enabled ? 1 : 0

  scope                            = local.hmac_secret_scope
  role_definition_name             = "Key Vault Secrets User"
  principal_id                     = azurerm_user_assigned_identity.this.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "logexport: resolve the LOGEXPORT_HMAC_KEY Key Vault reference"
}
