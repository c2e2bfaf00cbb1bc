# Workspace-based Application Insights. Key-based ingestion is disabled: the host sends telemetry
# with the user-assigned identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING and the Monitoring
# Metrics Publisher role in identity.tf).
resource "azurerm_application_insights" "this" {
  name                         = local.application_insights_name
  resource_group_name          = var.resource_group_name
  location                     = var.location
  application_type             = "Node.JS"
  workspace_id                 = local.application_insights_workspace_id
  local_authentication_enabled = false
  tags                         = var.tags
}

resource "azurerm_monitor_action_group" "alerts" {
  count = length(var.alert_email_addresses) > 0 ? 1 : 0

  name                = local.action_group_name
  resource_group_name = var.resource_group_name
  short_name          = "logexport"

  dynamic "email_receiver" {
    for_each = var.alert_email_addresses
    content {
      name                    = "email-${email_receiver.key}"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }

  tags = var.tags
}

# Poison messages. Azure Storage's QueueMessageCount metric is per account, without a queue
# dimension, and the export account also holds the job queue (busy during every export and every
# backfill), so "message count of log-export-windows-poison > 0" cannot be a metric alert. This
# alert fires instead on the warning the Functions host logs when it moves a job to the poison
# queue ("Message has reached MaxDequeueCount of 5. Moving message to queue '<queue>-poison'.",
# QueueProcessor in the WebJobs storage queues extension). The host also gives poison messages a
# 7-day time-to-live, so a state-based check would go quiet after a week anyway. The failed window
# is in the ledger (status "failed") and in GET /api/status; see the README to re-run it.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "poison" {
  name                    = "${local.function_app_name}-poison-messages"
  resource_group_name     = var.resource_group_name
  location                = var.location
  display_name            = "logexport: job moved to ${local.poison_queue_name}"
  description             = "A window or backfill job failed maxDequeueCount (5, host.json) times and was moved to the poison queue ${local.poison_queue_name}. Check the ledger or GET /api/status for the error, fix the cause, then re-run the window (POST /api/backfill with force) or move the message back."
  severity                = 2
  enabled                 = true
  scopes                  = [azurerm_application_insights.this.id]
  evaluation_frequency    = "PT15M"
  window_duration         = "PT15M"
  auto_mitigation_enabled = true

  criteria {
    query                   = <<-KQL
      traces
      | where message has "MaxDequeueCount" and (message contains "'${local.poison_queue_name}'" or message contains "'${local.backfill_poison_name}'")
      | project timestamp, message, cloud_RoleInstance
    KQL
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  dynamic "action" {
    for_each = length(local.action_group_ids) > 0 ? [1] : []
    content {
      action_groups = local.action_group_ids
    }
  }

  tags = var.tags
}

# Export lag, measured on the data rather than on the function: for each configured table, the end
# of the newest window the worker logged as exported (its structured "window exported" line, whose
# `window` field is "[start, end)"), compared with now. A table with no such line in two days counts
# as lagging too, so this catches a stopped planner, a failing worker, a lost role assignment and a
# timer that no longer fires, which an alert on errors alone would miss. Expect it to fire once in
# the first hour after a fresh deployment, before the first planner run; it resolves itself.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "export_lag" {
  name                      = "${local.function_app_name}-export-lag"
  resource_group_name       = var.resource_group_name
  location                  = var.location
  display_name              = "logexport: export lag over ${var.export_lag_alert_minutes} minutes"
  description               = "A table's newest exported window ended more than ${var.export_lag_alert_minutes} minutes ago (or none was exported in 2 days). Check the planner and worker logs in Application Insights and GET /api/status."
  severity                  = 2
  enabled                   = true
  scopes                    = [azurerm_application_insights.this.id]
  evaluation_frequency      = "PT15M"
  window_duration           = "PT15M"
  query_time_range_override = "P2D"
  auto_mitigation_enabled   = true

  criteria {
    query                   = <<-KQL
      let expected = dynamic(${jsonencode(var.tables)});
      let exported = traces
          | where timestamp > ago(2d) and message has "window exported"
          | extend e = parse_json(message)
          | where tostring(e.message) == "window exported"
          | extend tableName = tostring(e["table"]), windowEnd = todatetime(extract(@", ([^)]+)\)$", 1, tostring(e.window)))
          | summarize newestWindowEnd = max(windowEnd) by tableName;
      print tableName = expected
      | mv-expand tableName to typeof(string)
      | join kind=leftouter exported on tableName
      | extend lagMinutes = datetime_diff("minute", now(), newestWindowEnd)
      | where isnull(newestWindowEnd) or lagMinutes > ${var.export_lag_alert_minutes}
      | project tableName, newestWindowEnd, lagMinutes
    KQL
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0

    # Not `table`: a KQL keyword (the table() function), which as a bare column name may not parse.
    dimension {
      name     = "tableName"
      operator = "Include"
      values   = ["*"]
    }

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  dynamic "action" {
    for_each = length(local.action_group_ids) > 0 ? [1] : []
    content {
      action_groups = local.action_group_ids
    }
  }

  tags = var.tags
}

# Missing windows in the middle, which the export-lag alert (newest window only) does not see: the
# planner's gap repair logs each window it finds without a manifest well after it became complete
# (its job failed for good: the poison queue). One such line means a window was missing for at least
# LOGEXPORT_GAP_REPAIR_AFTER_MINUTES; the repair usually exports it at once, and a window that keeps
# failing keeps this alert firing, with its last error in GET /api/status.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "missing_windows" {
  name                 = "${local.function_app_name}-missing-windows"
  resource_group_name  = var.resource_group_name
  location             = var.location
  display_name         = "logexport: windows without a manifest, enqueued again"
  description          = "The planner found exported tables with windows that have no manifest long after they became complete (their job failed for good) and enqueued them again. GET /api/status?table=<T> shows each failed window with its last error."
  severity             = 2
  enabled              = true
  scopes               = [azurerm_application_insights.this.id]
  evaluation_frequency = "PT15M"
  window_duration      = "PT1H"

  criteria {
    query                   = <<-KQL
      traces
      | where message has "windows without a manifest enqueued again"
      | extend e = parse_json(message)
      | where tostring(e.message) == "windows without a manifest enqueued again"
      | extend tableName = tostring(e["table"]), missing = array_length(e.windows)
      | project tableName, missing
    KQL
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0

    dimension {
      name     = "tableName"
      operator = "Include"
      values   = ["*"]
    }

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  dynamic "action" {
    for_each = length(local.action_group_ids) > 0 ? [1] : []
    content {
      action_groups = local.action_group_ids
    }
  }

  tags = var.tags
}
