/**
 * Least-privilege and hardening facts of the Azure Terraform module, read from its HCL as HashiCorp's
 * parser reads it (providers cannot be downloaded here, so `terraform plan` cannot run; the schema
 * check in check.test.ts stands in for `validate`): role assignments and their scopes, granted before
 * the app starts, storage hardening, no keys, identity-based deployment run by the apply, IDs checked
 * as the provider parses them, alerts whose queries Azure can parse, and the example calling the
 * module with its required variables only.
 */
import { describe, expect, it } from "vitest";
import { containerNameFor, isContainerName } from "../../../shared/core/identifiers.js";
import { blockBodies, blocksOf, type HclBody } from "../../../scripts/terraform/hcl.js";
import { referencesIn } from "../../../scripts/terraform/references.js";
import {
  blockBody,
  dynamicContents,
  loadTerraform,
  local,
  moduleCall,
  objectLiterals,
  passes,
  referencedVariables,
  regexTerms,
  resource,
  resourcesOfType,
  validations,
  variable,
} from "./hcl.js";

const azure = await loadTerraform("terraform/modules/azure-log-export");
const example = await loadTerraform("terraform/examples/azure");

describe("Azure module: the identity's roles", () => {
  const expected: Record<string, { role: string; scope: string }> = {
    workspace_reader: { role: "Log Analytics Reader", scope: "${var.workspace_resource_id}" },
    data_container: { role: "Storage Blob Data Contributor", scope: "${each.value}" },
    state_container: { role: "Storage Blob Data Contributor", scope: "${local.state_container_scope}" },
    jobs_queue: { role: "Storage Queue Data Contributor", scope: "${local.jobs_queue_scope}" },
    poison_queue: { role: "Storage Queue Data Contributor", scope: "${local.poison_queue_scope}" },
    backfill_queue: { role: "Storage Queue Data Contributor", scope: "${local.backfill_queue_scope}" },
    backfill_poison_queue: { role: "Storage Queue Data Contributor", scope: "${local.backfill_poison_scope}" },
    host_storage: { role: "Storage Blob Data Owner", scope: "${azurerm_storage_account.host.id}" },
    telemetry: { role: "Monitoring Metrics Publisher", scope: "${azurerm_application_insights.this.id}" },
    hmac_secret: { role: "Key Vault Secrets User", scope: "${local.hmac_secret_scope}" },
  };
  const assignments = resourcesOfType(azure, "azurerm_role_assignment");

  it("grants exactly these roles at exactly these scopes, all to the user-assigned identity", () => {
    expect([...assignments.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, a] of assignments) {
      expect([a.role_definition_name, a.scope, a.principal_id, a.role_definition_id], name).toEqual([
        expected[name]?.role,
        expected[name]?.scope,
        "${azurerm_user_assigned_identity.this.principal_id}",
        undefined,
      ]);
    }
  });

  it("grants every role before the function app exists, since its host uses them as it starts", () => {
    const dependsOn = resource(azure, "azurerm_function_app_flex_consumption", "this").depends_on;
    expect(Array.isArray(dependsOn) ? [...dependsOn].sort() : dependsOn).toEqual(
      [...assignments.keys()].map((name) => `\${azurerm_role_assignment.${name}}`).sort(),
    );
  });

  it("scopes the export account's roles to single containers and queues, never the account", () => {
    expect(resourcesOfType(azure, "azurerm_role_assignment").get("data_container")?.for_each).toBe("${local.data_container_scopes}");
    expect(local(azure, "data_container_scopes")).toBe(
      '${{ for k, c in azurerm_storage_container.data : k => "${azurerm_storage_account.export.id}/blobServices/default/containers/${c.name}" }}',
    );
    expect(local(azure, "state_container_scope")).toBe(
      "${azurerm_storage_account.export.id}/blobServices/default/containers/${azurerm_storage_container.state.name}",
    );
    expect(local(azure, "jobs_queue_scope")).toBe("${azurerm_storage_account.export.id}/queueServices/default/queues/${azurerm_storage_queue.jobs.name}");
    expect(local(azure, "poison_queue_scope")).toBe("${azurerm_storage_account.export.id}/queueServices/default/queues/${azurerm_storage_queue.poison.name}");
    expect(local(azure, "hmac_secret_scope")).toBe('${local.hmac_enabled ? "${var.key_vault_id}/secrets/${local.hmac_secret_name}" : null}');
    expect([...assignments.values()].map((a) => a.scope)).not.toContain("${azurerm_storage_account.export.id}");
    expect(
      [...assignments.values()]
        .map((a) => a.role_definition_name)
        .filter((r) => ["Owner", "Contributor", "Storage Account Contributor", "Reader"].includes(String(r))),
    ).toEqual([]);
  });

  it("names the poison queue the way the Functions host does", () => {
    expect(local(azure, "poison_queue_name")).toBe("${var.queue_name}-poison");
    expect(resource(azure, "azurerm_storage_queue", "poison").name).toBe("${local.poison_queue_name}");
  });
});

describe("Azure module: storage", () => {
  for (const account of ["export", "host"]) {
    it(`hardens the ${account} account: no shared key, TLS 1.2, HTTPS only, nothing public`, () => {
      const a = resource(azure, "azurerm_storage_account", account);
      expect([
        a.shared_access_key_enabled,
        a.min_tls_version,
        a.https_traffic_only_enabled,
        a.allow_nested_items_to_be_public,
        a.default_to_oauth_authentication,
      ]).toEqual([false, "TLS1_2", true, false, true]);
    });
  }

  it("keeps versions and soft-deleted blobs and containers in the export account", () => {
    const properties = blockBody(resource(azure, "azurerm_storage_account", "export"), "blob_properties");
    expect(properties.versioning_enabled).toBe(true);
    expect(blockBody(properties, "delete_retention_policy").days).toBe("${var.soft_delete_retention_days}");
    expect(blockBody(properties, "container_delete_retention_policy").days).toBe("${var.soft_delete_retention_days}");
  });

  it("creates every container private and through Resource Manager", () => {
    for (const [name, c] of resourcesOfType(azure, "azurerm_storage_container")) {
      expect(c.container_access_type, name).toBe("private");
      expect(["${azurerm_storage_account.export.id}", "${azurerm_storage_account.host.id}"], name).toContain(c.storage_account_id);
    }
    for (const [name, q] of resourcesOfType(azure, "azurerm_storage_queue")) expect(q.storage_account_id, name).toBe("${azurerm_storage_account.export.id}");
  });

  it("tiers only the exported data, never the state, at most 10 prefixes a rule (Azure's limit)", () => {
    expect(local(azure, "data_prefix_matches")).toBe(
      '${chunklist([for name in values(local.data_containers) : var.prefix == "" ? "${name}/" : "${name}/${var.prefix}/"], 10)}',
    );
    const policy = resource(azure, "azurerm_storage_management_policy", "export");
    expect(blockBodies(policy, "rule").filter((r) => blockBodies(blockBody(r, "actions"), "base_blob").length > 0)).toEqual([]);
    const tiering = dynamicContents(policy, "rule");
    expect(tiering).toHaveLength(1);
    expect(blockBody(tiering[0] as HclBody, "filters").prefix_match).toBe("${rule.value}");
    expect(blockBody(tiering[0] as HclBody, "actions", "base_blob").tier_to_cool_after_days_since_modification_greater_than).toBe("${var.cool_after_days}");
  });

  it("makes only the data containers immutable, and only when asked", () => {
    const policies = resourcesOfType(azure, "azurerm_storage_container_immutability_policy");
    expect([...policies.keys()]).toEqual(["data"]);
    expect(policies.get("data")?.for_each).toBe("${var.immutability_period_days > 0 ? local.data_container_scopes : {}}");
    expect(policies.get("data")?.storage_container_resource_manager_id).toBe("${each.value}");
  });

  it("creates one data container, or with a {table} template one per table named as the code names it", () => {
    expect(resource(azure, "azurerm_storage_container", "data").for_each).toBe("${local.data_containers}");
    expect(local(azure, "data_containers")).toBe(
      '${strcontains(var.data_container_name, "{table}") ? {\n    for t in var.tables : t => replace(var.data_container_name, "{table}", lower(replace(t, "_", "-")))\n  } : { all = var.data_container_name }}',
    );
    // What the code calls the container of a table, for the tables Terraform would be given.
    for (const table of ["AppRequests", "Custom_Logs_CL", "SecurityEvent"])
      expect(containerNameFor("logs-{table}", table)).toBe(`logs-${table.toLowerCase().replaceAll("_", "-")}`);
    // The app gets the template itself and names each table's container as Terraform did.
    expect(String(local(azure, "app_settings"))).toMatch(/"LOGEXPORT_CONTAINER"\s*=\s*var\.data_container_name\n/);
  });

  it("moves the single data container of earlier versions into place instead of replacing it", () => {
    expect(azure.blocks.filter((b) => b.kind === "moved").map((b) => [b.body.from, b.body.to])).toEqual([
      ["${azurerm_storage_container.data}", '${azurerm_storage_container.data["all"]}'],
      ["${azurerm_storage_container_immutability_policy.data[0]}", '${azurerm_storage_container_immutability_policy.data["all"]}'],
    ]);
  });

  it("validates data_container_name as the settings validate LOGEXPORT_CONTAINER: every table's name valid, none shared, none the state container", () => {
    const name = 'replace(var.data_container_name, "{table}", lower(replace(t, "_", "-")))';
    const conditions = validations(azure, "data_container_name").map((v) => String(v.condition));
    expect(conditions).toHaveLength(3);
    expect(conditions[0]).toContain(`for t in var.tables : can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", ${name})) && !strcontains(${name}, "--")`);
    expect(conditions[1]).toContain(`length(distinct([for t in var.tables : ${name}])) == length(var.tables)`);
    expect(conditions[2]).toBe(`\${!contains([for t in var.tables : ${name}], var.state_container_name)}`);
    // The module's container rule is the code's: the same names pass and fail.
    const rule = (n: string): boolean => /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(n) && !n.includes("--");
    for (const n of ["logs-apprequests", "log-exports", "ab", "a--b", "-ab", "logs-custom-cl", "x".repeat(64), "Logs"])
      expect(rule(n), n).toBe(isContainerName(n));
  });
});

describe("Azure module: no keys, identity everywhere", () => {
  it("never reads or passes an account key, connection string or publishing credential", async () => {
    const referenced = new Set(
      (await Promise.all(azure.blocks.map((b) => referencesIn(b.body)))).flat().flatMap((r) => r.steps.flatMap((s) => ("name" in s ? [s.name] : []))),
    );
    const argumentNames = new Set(blocksOf(azure, "resource").flatMap((b) => Object.keys(b.body)));
    for (const forbidden of [
      "primary_access_key",
      "secondary_access_key",
      "primary_connection_string",
      "storage_access_key",
      "zip_deploy_file",
      "instrumentation_key",
      "site_credential",
    ]) {
      expect(referenced.has(forbidden) || argumentNames.has(forbidden), forbidden).toBe(false);
    }
  });

  it("runs the app on Flex Consumption with the user-assigned identity for the package and storage", () => {
    expect(resource(azure, "azurerm_service_plan", "this").sku_name).toBe("FC1");
    const app = resource(azure, "azurerm_function_app_flex_consumption", "this");
    expect([
      app.runtime_name,
      app.storage_authentication_type,
      app.storage_user_assigned_identity_id,
      app.https_only,
      app.webdeploy_publish_basic_authentication_enabled,
    ]).toEqual(["node", "UserAssignedIdentity", "${azurerm_user_assigned_identity.this.id}", true, false]);
    expect(variable(azure, "node_version").default).toBe("22");
    expect(blockBody(app, "identity").type).toBe("UserAssigned");
  });

  it("disables key-based ingestion in Application Insights and keeps it workspace-based", () => {
    const insights = resource(azure, "azurerm_application_insights", "this");
    expect([insights.local_authentication_enabled, insights.workspace_id]).toEqual([false, "${local.application_insights_workspace_id}"]);
  });

  it("runs the post-apply steps from the apply by default, so no app is left with the injected AzureWebJobsStorage and no package", () => {
    expect(variable(azure, "run_post_apply_steps").default).toBe(true);
    expect(resource(azure, "terraform_data", "post_apply").count).toBe("${var.run_post_apply_steps ? 1 : 0}");
    expect(validations(azure, "run_post_apply_steps").map((v) => v.condition)).toEqual([
      "${var.run_post_apply_steps ? var.package_path != null : true}",
      "${var.run_post_apply_steps && var.package_path != null ? fileexists(var.package_path) : true}",
    ]);
    expect(local(azure, "post_apply_commands")).toContain("--setting-names AzureWebJobsStorage");
  });
});

describe("Azure module: IDs as the provider parses them", () => {
  const VALID = "/subscriptions/0000AAAA-0000-0000-0000-000000000000/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/law-prod";

  for (const name of ["workspace_resource_id", "application_insights_workspace_resource_id"]) {
    it(`checks ${name} case-sensitively: the provider refuses resourcegroups where the module accepted it`, async () => {
      const terms = (await Promise.all(validations(azure, name).map((v) => regexTerms(v.condition, name)))).flat();
      expect(passes(terms, VALID)).toBe(true);
      for (const miscased of [
        VALID.replace("resourceGroups", "resourcegroups"),
        VALID.replace("Microsoft.OperationalInsights", "microsoft.operationalinsights"),
        VALID.replace("/workspaces/", "/Workspaces/"),
      ]) {
        expect(passes(terms, miscased), miscased).toBe(false);
      }
    });
  }
});

describe("Azure module: scale", () => {
  it("defaults maximum_instance_count to the floor Azure enforces, and bounds queries with max_concurrent_queries", () => {
    expect(variable(azure, "maximum_instance_count").default).toBe(40);
    expect(resource(azure, "azurerm_function_app_flex_consumption", "this").maximum_instance_count).toBe("${var.maximum_instance_count}");
    expect(variable(azure, "max_concurrent_queries").default).toBe(4);
  });
});

/** Identifiers of a KQL query outside its string literals ("…", '…', @"…"). */
function kqlIdentifiers(query: string): string[] {
  return query.replace(/@?"(?:[^"\\]|\\.)*"|@?'(?:[^'\\]|\\.)*'/g, " ").match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
}

describe("Azure module: alerts", () => {
  const poison = resource(azure, "azurerm_monitor_scheduled_query_rules_alert_v2", "poison");
  const lag = resource(azure, "azurerm_monitor_scheduled_query_rules_alert_v2", "export_lag");

  it("alerts on poison messages of this deployment's poison queue", () => {
    expect(poison.scopes).toEqual(["${azurerm_application_insights.this.id}"]);
    expect(blockBody(poison, "criteria").query).toContain(`message contains "'\${local.poison_queue_name}'"`);
  });

  it("alerts on export lag of every configured table, from the worker's 'window exported' lines", () => {
    expect([lag.scopes, lag.query_time_range_override]).toEqual([["${azurerm_application_insights.this.id}"], "P2D"]);
    const query = String(blockBody(lag, "criteria").query);
    expect(query.split("\n")[0]).toBe("let expected = dynamic(${jsonencode(var.tables)});");
    expect(query).toContain('where tostring(e.message) == "window exported"');
  });

  it("uses no KQL keyword as a column name, and alerts per table on a column the query projects", () => {
    const query = String(blockBody(lag, "criteria").query);
    expect(kqlIdentifiers(query)).not.toContain("table");
    const projected = /\| project ([^\n]+)\n?$/
      .exec(query)?.[1]
      ?.split(",")
      .map((c) => c.trim());
    const [dimension] = blockBodies(blockBody(lag, "criteria"), "dimension");
    expect(dimension?.name).toBe("tableName");
    expect(projected).toContain(dimension?.name);
  });

  it("notifies the module's action group and the given ones", async () => {
    for (const rule of [poison, lag]) expect(dynamicContents(rule, "action")).toEqual([{ action_groups: "${local.action_group_ids}" }]);
    expect((await referencesIn(local(azure, "action_group_ids"))).map((r) => r.text)).toEqual([
      "azurerm_monitor_action_group.alerts",
      "var.alert_action_group_ids",
    ]);
  });
});

describe("Azure example", () => {
  const call = moduleCall(example, "log_export");
  const passed = Object.keys(call).filter((n) => n !== "source");
  const variables = blocksOf(azure, "variable").map((v) => ({ name: v.labels[0] as string, required: !("default" in v.body) }));

  it("passes only arguments the module declares", () => {
    const names = new Set(variables.map((v) => v.name));
    for (const n of passed) expect(names.has(n), `${n} is not a variable of the module`).toBe(true);
  });

  it("sets every required module variable, and only those plus the package path", () => {
    expect(passed.filter((n) => n !== "package_path").sort()).toEqual(
      variables
        .filter((v) => v.required)
        .map((v) => v.name)
        .sort(),
    );
  });

  it("declares exactly the variables it passes on", async () => {
    expect(
      blocksOf(example, "variable")
        .map((v) => v.labels[0])
        .sort(),
    ).toEqual(await referencedVariables(example));
  });
});

describe("Azure module: Entra ID sign-in in front of the HTTP functions", () => {
  const app = resource(azure, "azurerm_function_app_flex_consumption", "this");
  const auth = blockBody(app, "auth_settings_v2");

  it("signs callers in with the module's app registration and lets unauthenticated requests reach the app, which redirects browsers and refuses API clients", () => {
    expect([auth.auth_enabled, auth.require_authentication, auth.unauthenticated_action, auth.default_provider, auth.require_https]).toEqual([
      true,
      false,
      "AllowAnonymous",
      "azureactivedirectory",
      true,
    ]);
    const directory = blockBody(auth, "active_directory_v2");
    expect([directory.client_id, directory.tenant_auth_endpoint]).toEqual([
      "${var.entra_client_id}",
      "https://login.microsoftonline.com/${var.entra_tenant_id}/v2.0",
    ]);
    expect(blockBody(auth, "login").token_store_enabled).toBe(false);
  });

  it("keeps function keys off by default and tells the functions through LOGEXPORT_FUNCTION_KEYS", async () => {
    expect(variable(azure, "function_keys_enabled").default).toBe(false);
    const settings = await objectLiterals(local(azure, "app_settings"));
    expect(settings.map((o) => o.entries.get("LOGEXPORT_FUNCTION_KEYS")).filter((v) => v !== undefined)).toEqual(['var.function_keys_enabled ? "on" : "off"']);
  });

  it("passes the example's app registration to the module", () => {
    const call = moduleCall(example, "log_export");
    expect([call.entra_client_id, call.entra_tenant_id]).toEqual(["${var.entra_client_id}", "${var.entra_tenant_id}"]);
  });
});
