# Two accounts, so the exported data's account holds nothing the Functions host writes (keys,
# locks, packages) and its roles can be scoped to its containers and queues alone.
#
# Shared key access is off on both. Every container and queue below is created through Azure
# Resource Manager (storage_account_id), which needs no key; the example's provider block also sets
# features.storage.data_plane_available = false so the account resource never calls the data plane.

resource "azurerm_storage_account" "export" {
  name                             = local.export_storage_name
  resource_group_name              = var.resource_group_name
  location                         = var.location
  account_kind                     = "StorageV2"
  account_tier                     = "Standard"
  account_replication_type         = var.export_storage_replication_type
  access_tier                      = "Hot"
  https_traffic_only_enabled       = true
  min_tls_version                  = "TLS1_2"
  allow_nested_items_to_be_public  = false
  shared_access_key_enabled        = false
  default_to_oauth_authentication  = true
  cross_tenant_replication_enabled = false
  local_user_enabled               = false
  # Reached over its public endpoint (Flex Consumption without VNet integration), with Entra ID
  # authorization only. Private endpoints are a follow-up, see the README.
  public_network_access_enabled = true

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = var.soft_delete_retention_days
    }

    container_delete_retention_policy {
      days = var.soft_delete_retention_days
    }
  }

  tags = var.tags
}

# One container, or with a {table} template one per table (seed 000's layout). A table added to
# var.tables gets its container (and its role) at the next apply.
resource "azurerm_storage_container" "data" {
  for_each = local.data_containers

  name                  = each.value
  storage_account_id    = azurerm_storage_account.export.id
  container_access_type = "private"
}

resource "azurerm_storage_container" "state" {
  name                  = var.state_container_name
  storage_account_id    = azurerm_storage_account.export.id
  container_access_type = "private"
}

resource "azurerm_storage_queue" "jobs" {
  name               = var.queue_name
  storage_account_id = azurerm_storage_account.export.id
}

# Created here, not left to the host, so its role assignment can be scoped to it.
resource "azurerm_storage_queue" "poison" {
  name               = local.poison_queue_name
  storage_account_id = azurerm_storage_account.export.id
}

# Backfill jobs apart from the planner's, so a 90-day backfill never queues ahead of the schedule.
resource "azurerm_storage_queue" "backfill" {
  name               = var.backfill_queue_name
  storage_account_id = azurerm_storage_account.export.id
}

resource "azurerm_storage_queue" "backfill_poison" {
  name               = local.backfill_poison_name
  storage_account_id = azurerm_storage_account.export.id
}

resource "azurerm_storage_management_policy" "export" {
  storage_account_id = azurerm_storage_account.export.id

  dynamic "rule" {
    for_each = local.data_prefix_matches

    content {
      name    = rule.key == 0 ? "data-tiering" : "data-tiering-${rule.key + 1}"
      enabled = true

      filters {
        prefix_match = rule.value
        blob_types   = ["blockBlob"]
      }

      actions {
        base_blob {
          tier_to_cool_after_days_since_modification_greater_than    = var.cool_after_days
          tier_to_archive_after_days_since_modification_greater_than = var.archive_after_days
          delete_after_days_since_modification_greater_than          = var.delete_after_days
        }

        version {
          delete_after_days_since_creation = var.previous_version_retention_days
        }
      }
    }
  }

  # Watermarks are rewritten every planner run and manifests on every re-export; versioning keeps
  # each previous copy. They stay Hot (the status API reads them) and old versions go.
  rule {
    name    = "state-previous-versions"
    enabled = true

    filters {
      prefix_match = ["${var.state_container_name}/"]
      blob_types   = ["blockBlob"]
    }

    actions {
      version {
        delete_after_days_since_creation = var.previous_version_retention_days
      }
    }
  }
}

# Optional WORM retention on the data containers only (see immutability_period_days).
resource "azurerm_storage_container_immutability_policy" "data" {
  for_each = var.immutability_period_days > 0 ? local.data_container_scopes : {}

  storage_container_resource_manager_id = each.value
  immutability_period_in_days           = var.immutability_period_days
  locked                                = var.immutability_locked
}

resource "azurerm_storage_account" "host" {
  name                             = local.host_storage_name
  resource_group_name              = var.resource_group_name
  location                         = var.location
  account_kind                     = "StorageV2"
  account_tier                     = "Standard"
  account_replication_type         = "LRS"
  https_traffic_only_enabled       = true
  min_tls_version                  = "TLS1_2"
  allow_nested_items_to_be_public  = false
  shared_access_key_enabled        = false
  default_to_oauth_authentication  = true
  cross_tenant_replication_enabled = false
  local_user_enabled               = false
  public_network_access_enabled    = true

  tags = var.tags
}

# Flex Consumption runs the app from the package in this container; it reads it with the identity.
resource "azurerm_storage_container" "deployment" {
  name                  = local.deployment_container_name
  storage_account_id    = azurerm_storage_account.host.id
  container_access_type = "private"
}

# Before per-table containers the data container was a single resource: keep it in place.
moved {
  from = azurerm_storage_container.data
  to   = azurerm_storage_container.data["all"]
}

moved {
  from = azurerm_storage_container_immutability_policy.data[0]
  to   = azurerm_storage_container_immutability_policy.data["all"]
}
