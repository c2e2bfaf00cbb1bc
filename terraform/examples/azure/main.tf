# The smallest deployment: only the module's required variables. The subscription comes from
# ARM_SUBSCRIPTION_ID (or `az account show`), see the README.

provider "azurerm" {
  features {
    storage {
      # Both storage accounts have shared key access disabled; never call the storage data plane
      # from the account resource (containers and queues are created through Resource Manager).
      data_plane_available = false
    }
  }

  # If anything does touch a storage data plane, use Entra ID rather than account keys.
  storage_use_azuread = true
}

resource "azurerm_resource_group" "this" {
  name     = var.resource_group_name
  location = var.location
}

module "log_export" {
  source = "../../modules/azure-log-export"

  name                  = var.name
  resource_group_name   = azurerm_resource_group.this.name
  location              = azurerm_resource_group.this.location
  workspace_resource_id = var.workspace_resource_id
  workspace_id          = var.workspace_id
  tables                = var.tables
  entra_client_id       = var.entra_client_id
  entra_tenant_id       = var.entra_tenant_id

  # What `npm run build` writes, relative to this directory; used by the post-apply commands.
  package_path = "${path.module}/../../../dist/logexport-functions.zip"
}
