locals {
  # Names (global ones get the user's `name`; lengths follow from its 3-11 characters).
  function_app_name         = "${var.name}-logexport"
  service_plan_name         = "${var.name}-logexport-plan"
  identity_name             = "${var.name}-logexport-id"
  application_insights_name = "${var.name}-logexport-ai"
  action_group_name         = "${var.name}-logexport-alerts"
  export_storage_name       = "${var.name}logexport"  # exported data, state, job queues
  host_storage_name         = "${var.name}logexphost" # AzureWebJobsStorage and the deployment package
  deployment_container_name = "app-package"
  poison_queue_name         = "${var.queue_name}-poison" # the name the Functions host gives it
  backfill_poison_name      = "${var.backfill_queue_name}-poison"

  # The data containers, keyed by table with a {table} template (each table its own), else one
  # keyed "all". Names as containerNameFor (shared/core/identifiers.ts) gives them.
  data_containers = strcontains(var.data_container_name, "{table}") ? {
    for t in var.tables : t => replace(var.data_container_name, "{table}", lower(replace(t, "_", "-")))
  } : { all = var.data_container_name }

  # Resource-manager IDs of the containers and queues: the narrowest scopes the storage data roles
  # can be assigned at. Built from the resources' names so the role assignments wait for them.
  data_container_scopes = { for k, c in azurerm_storage_container.data : k => "${azurerm_storage_account.export.id}/blobServices/default/containers/${c.name}" }
  state_container_scope = "${azurerm_storage_account.export.id}/blobServices/default/containers/${azurerm_storage_container.state.name}"
  jobs_queue_scope      = "${azurerm_storage_account.export.id}/queueServices/default/queues/${azurerm_storage_queue.jobs.name}"
  poison_queue_scope    = "${azurerm_storage_account.export.id}/queueServices/default/queues/${azurerm_storage_queue.poison.name}"
  backfill_queue_scope  = "${azurerm_storage_account.export.id}/queueServices/default/queues/${azurerm_storage_queue.backfill.name}"
  backfill_poison_scope = "${azurerm_storage_account.export.id}/queueServices/default/queues/${azurerm_storage_queue.backfill_poison.name}"

  # Lifecycle rules match "<container>/<prefix>": the exported objects only, never the state. A rule
  # takes at most 10 prefixes, so the data containers' prefixes come in groups of 10, one rule each.
  data_prefix_matches = chunklist([for name in values(local.data_containers) : var.prefix == "" ? "${name}/" : "${name}/${var.prefix}/"], 10)

  application_insights_workspace_id = coalesce(var.application_insights_workspace_resource_id, var.workspace_resource_id)

  # The HMAC key: one secret, so the role is scoped to that secret, not the vault.
  hmac_enabled      = var.hmac_key_secret_uri != null
  hmac_secret_name  = local.hmac_enabled ? regex("/secrets/([^/]+)", var.hmac_key_secret_uri)[0] : null
  hmac_secret_scope = local.hmac_enabled ? "${var.key_vault_id}/secrets/${local.hmac_secret_name}" : null

  action_group_ids = concat(
    [for g in azurerm_monitor_action_group.alerts : g.id],
    var.alert_action_group_ids,
  )
}
