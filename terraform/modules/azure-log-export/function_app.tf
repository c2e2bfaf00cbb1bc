resource "azurerm_service_plan" "this" {
  name                = local.service_plan_name
  resource_group_name = var.resource_group_name
  location            = var.location
  os_type             = "Linux"
  sku_name            = "FC1" # Flex Consumption
  tags                = var.tags
}

resource "azurerm_function_app_flex_consumption" "this" {
  name                = local.function_app_name
  resource_group_name = var.resource_group_name
  location            = var.location
  service_plan_id     = azurerm_service_plan.this.id

  runtime_name           = "node"
  runtime_version        = var.node_version
  maximum_instance_count = var.maximum_instance_count
  instance_memory_in_mb  = var.instance_memory_in_mb

  # The package container, read with the user-assigned identity (no DEPLOYMENT_STORAGE_CONNECTION_STRING).
  storage_container_type            = "blobContainer"
  storage_container_endpoint        = "${azurerm_storage_account.host.primary_blob_endpoint}${azurerm_storage_container.deployment.name}"
  storage_authentication_type       = "UserAssignedIdentity"
  storage_user_assigned_identity_id = azurerm_user_assigned_identity.this.id

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this.id]
  }

  https_only                    = true
  public_network_access_enabled = true
  # No basic-auth publishing credentials: deploy with an Entra ID sign-in (assumed to be what the
  # Azure CLI's Flex Consumption deployment uses; not verified from here, see the README). The
  # provider's zip_deploy_file is not used: it posts to Kudu's /api/zipdeploy with those
  # credentials, which Flex Consumption does not accept (hashicorp/terraform-provider-azurerm#29630,
  # still the code path in v4.81.0 and v5.2.0).
  webdeploy_publish_basic_authentication_enabled = false

  app_settings = local.app_settings

  # Entra ID sign-in (App Service authentication) in front of the HTTP functions: the platform
  # validates the token or session cookie and passes the caller, with its app roles, in
  # x-ms-client-principal (a caller cannot set that header itself); the functions check
  # LogExport.Read / LogExport.Operate (functions/roles.ts). Unauthenticated requests go through
  # to the app, which decides (docs/backfill.md): a browser asking for the coverage page is sent
  # to /.auth/login/aad and back, an API client gets a 401 problem. RedirectToLoginPage would send
  # pipelines an HTML login redirect for every path, Return401 would leave browsers no way to sign in.
  auth_settings_v2 {
    auth_enabled           = true
    require_authentication = false
    unauthenticated_action = "AllowAnonymous"
    default_provider       = "azureactivedirectory"
    require_https          = true

    active_directory_v2 {
      client_id            = var.entra_client_id
      tenant_auth_endpoint = "https://login.microsoftonline.com/${var.entra_tenant_id}/v2.0"
      allowed_audiences    = ["api://${var.entra_client_id}", var.entra_client_id]
    }

    login {
      token_store_enabled = false
    }
  }

  site_config {
    application_insights_connection_string = azurerm_application_insights.this.connection_string
    minimum_tls_version                    = "1.2"
    scm_minimum_tls_version                = "1.2"
  }

  tags = var.tags

  # The host reaches its storage, its package, Application Insights and (with the HMAC key) Key
  # Vault with the identity as soon as it starts: grant those first.
  depends_on = [
    azurerm_role_assignment.host_storage,
    azurerm_role_assignment.telemetry,
    azurerm_role_assignment.jobs_queue,
    azurerm_role_assignment.poison_queue,
    azurerm_role_assignment.backfill_queue,
    azurerm_role_assignment.backfill_poison_queue,
    azurerm_role_assignment.data_container,
    azurerm_role_assignment.state_container,
    azurerm_role_assignment.workspace_reader,
    azurerm_role_assignment.hmac_secret,
  ]
}

# What Terraform cannot do through the azurerm provider (checked in its source at v4.81.0 and
# v5.2.0), done with the Azure CLI after every apply that creates or changes the function app:
#
# 1. Remove the AzureWebJobsStorage app setting. With storage_authentication_type =
#    UserAssignedIdentity the provider still writes AzureWebJobsStorage =
#    "DefaultEndpointsProtocol=https;AccountName=<host>;AccountKey=;…" on every create and update,
#    and a value in AzureWebJobsStorage takes precedence over the identity-based
#    AzureWebJobsStorage__* settings (hashicorp/terraform-provider-azurerm#29693, #30732, #29149).
#    The provider does not read the setting back into app_settings, so removing it causes no drift.
# 2. With the HMAC key: point Key Vault references at the user-assigned identity
#    (keyVaultReferenceIdentity); the flex resource has no argument for it (PR #31439, open).
# 3. Deploy the zip: `az functionapp deployment source config-zip` detects Flex Consumption and
#    uses the One Deploy endpoint (/api/publish), then checks the host's health.
locals {
  post_apply_commands = join("\n", compact([
    "set -eu",
    "az functionapp config appsettings delete --resource-group '${var.resource_group_name}' --name '${local.function_app_name}' --setting-names AzureWebJobsStorage --output none",
    local.hmac_enabled ? "az rest --method patch --url '${azurerm_function_app_flex_consumption.this.id}?api-version=2023-12-01' --body '{\"properties\":{\"keyVaultReferenceIdentity\":\"${azurerm_user_assigned_identity.this.id}\"}}' --output none" : "",
    "az functionapp deployment source config-zip --resource-group '${var.resource_group_name}' --name '${local.function_app_name}' --src \"${var.package_path == null ? "dist/logexport-functions.zip" : abspath(var.package_path)}\"",
  ]))
}

resource "terraform_data" "post_apply" {
  count = var.run_post_apply_steps ? 1 : 0

  # Re-run whenever the provider may have rewritten the app settings, or the package changed.
  triggers_replace = [
    azurerm_function_app_flex_consumption.this.id,
    sha256(jsonencode([
      local.app_settings,
      var.tags,
      var.node_version,
      var.maximum_instance_count,
      var.instance_memory_in_mb,
      azurerm_application_insights.this.id,
    ])),
    filesha256(var.package_path),
  ]

  provisioner "local-exec" {
    command     = local.post_apply_commands
    interpreter = ["/bin/sh", "-c"]
  }
}
