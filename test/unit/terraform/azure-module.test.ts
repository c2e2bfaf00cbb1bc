/**
 * Least-privilege and hardening facts of the Azure Terraform module, read from its HCL (providers
 * cannot be downloaded here, so `terraform validate` and `plan` cannot run): role assignments and
 * their scopes, storage hardening, no keys, identity-based deployment, alerts wired, and the
 * example calling the module with its required variables only.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { attribute, block, blocks, literal, readTerraformDir } from "./hcl.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const moduleText = readTerraformDir(join(ROOT, "terraform/modules/azure-log-export"));
const exampleText = readTerraformDir(join(ROOT, "terraform/examples/azure"));

const resource = (type: string, name: string) => block(moduleText, "resource", type, name).body;
const attr = (type: string, name: string, key: string) => attribute(resource(type, name), key);
const local = (name: string) => {
  const found = blocks(moduleText, "locals").flatMap((b) => attribute(b.body, name) ?? []);
  expect(found, `one local ${name}`).toHaveLength(1);
  return found[0] as string;
};

describe("Azure module: the identity's roles", () => {
  const expected: Record<string, { role: string; scope: string }> = {
    workspace_reader: { role: "Log Analytics Reader", scope: "var.workspace_resource_id" },
    data_container: { role: "Storage Blob Data Contributor", scope: "local.data_container_scope" },
    state_container: { role: "Storage Blob Data Contributor", scope: "local.state_container_scope" },
    jobs_queue: { role: "Storage Queue Data Contributor", scope: "local.jobs_queue_scope" },
    poison_queue: { role: "Storage Queue Data Contributor", scope: "local.poison_queue_scope" },
    host_storage: { role: "Storage Blob Data Owner", scope: "azurerm_storage_account.host.id" },
    telemetry: { role: "Monitoring Metrics Publisher", scope: "azurerm_application_insights.this.id" },
    hmac_secret: { role: "Key Vault Secrets User", scope: "local.hmac_secret_scope" },
  };

  it("grants exactly these roles at exactly these scopes, all to the user-assigned identity", () => {
    const assignments = blocks(moduleText, "resource").filter((b) => b.labels[0] === "azurerm_role_assignment");
    expect(assignments.map((b) => b.labels[1]).sort()).toEqual(Object.keys(expected).sort());
    for (const a of assignments) {
      const want = expected[a.labels[1] as string];
      expect(literal(attribute(a.body, "role_definition_name")), a.labels[1]).toBe(want?.role);
      expect(attribute(a.body, "scope"), a.labels[1]).toBe(want?.scope);
      expect(attribute(a.body, "principal_id"), a.labels[1]).toBe("azurerm_user_assigned_identity.this.principal_id");
      expect(attribute(a.body, "role_definition_id"), a.labels[1]).toBeUndefined();
    }
  });

  it("scopes the export account's roles to single containers and queues, never the account", () => {
    expect(local("data_container_scope")).toBe('"${azurerm_storage_account.export.id}/blobServices/default/containers/${azurerm_storage_container.data.name}"');
    expect(local("state_container_scope")).toBe('"${azurerm_storage_account.export.id}/blobServices/default/containers/${azurerm_storage_container.state.name}"');
    expect(local("jobs_queue_scope")).toBe('"${azurerm_storage_account.export.id}/queueServices/default/queues/${azurerm_storage_queue.jobs.name}"');
    expect(local("poison_queue_scope")).toBe('"${azurerm_storage_account.export.id}/queueServices/default/queues/${azurerm_storage_queue.poison.name}"');
    expect(local("hmac_secret_scope")).toContain('"${var.key_vault_id}/secrets/${local.hmac_secret_name}"');
    expect(moduleText).not.toMatch(/scope\s*=\s*azurerm_storage_account\.export\.id/);
    expect(moduleText).not.toMatch(/role_definition_name\s*=\s*"(Owner|Contributor|Storage Account Contributor|Reader)"/);
  });

  it("names the poison queue the way the Functions host does", () => {
    expect(local("poison_queue_name")).toBe('"${var.queue_name}-poison"');
    expect(attr("azurerm_storage_queue", "poison", "name")).toBe("local.poison_queue_name");
  });
});

describe("Azure module: storage", () => {
  for (const account of ["export", "host"]) {
    it(`hardens the ${account} account: no shared key, TLS 1.2, HTTPS only, nothing public`, () => {
      expect(attr("azurerm_storage_account", account, "shared_access_key_enabled")).toBe("false");
      expect(attr("azurerm_storage_account", account, "min_tls_version")).toBe('"TLS1_2"');
      expect(attr("azurerm_storage_account", account, "https_traffic_only_enabled")).toBe("true");
      expect(attr("azurerm_storage_account", account, "allow_nested_items_to_be_public")).toBe("false");
      expect(attr("azurerm_storage_account", account, "default_to_oauth_authentication")).toBe("true");
    });
  }

  it("keeps versions and soft-deleted blobs and containers in the export account", () => {
    const properties = block(resource("azurerm_storage_account", "export"), "blob_properties").body;
    expect(attribute(properties, "versioning_enabled")).toBe("true");
    expect(attribute(block(properties, "delete_retention_policy").body, "days")).toBe("var.soft_delete_retention_days");
    expect(attribute(block(properties, "container_delete_retention_policy").body, "days")).toBe("var.soft_delete_retention_days");
  });

  it("creates every container private and through Resource Manager", () => {
    for (const c of blocks(moduleText, "resource").filter((b) => b.labels[0] === "azurerm_storage_container")) {
      expect(attribute(c.body, "container_access_type"), c.labels[1]).toBe('"private"');
      expect(attribute(c.body, "storage_account_id"), c.labels[1]).toMatch(/^azurerm_storage_account\.(export|host)\.id$/);
    }
    for (const q of blocks(moduleText, "resource").filter((b) => b.labels[0] === "azurerm_storage_queue")) {
      expect(attribute(q.body, "storage_account_id"), q.labels[1]).toBe("azurerm_storage_account.export.id");
    }
  });

  it("tiers only the exported data, never the state", () => {
    expect(local("data_prefix_match")).toBe('var.prefix == "" ? "${var.data_container_name}/" : "${var.data_container_name}/${var.prefix}/"');
    const rules = blocks(resource("azurerm_storage_management_policy", "export"), "rule");
    const tiering = rules.filter((r) => blocks(block(r.body, "actions").body, "base_blob").length > 0);
    expect(tiering).toHaveLength(1);
    expect(attribute(block(tiering[0]!.body, "filters").body, "prefix_match")).toBe("[local.data_prefix_match]");
  });

  it("makes only the data container immutable, and only when asked", () => {
    const policy = resource("azurerm_storage_container_immutability_policy", "data");
    expect(attribute(policy, "count")).toBe("var.immutability_period_days > 0 ? 1 : 0");
    expect(attribute(policy, "storage_container_resource_manager_id")).toBe("local.data_container_scope");
    expect(blocks(moduleText, "resource").filter((b) => b.labels[0] === "azurerm_storage_container_immutability_policy")).toHaveLength(1);
  });
});

describe("Azure module: no keys, identity everywhere", () => {
  it("never reads or passes an account key, connection string or publishing credential", () => {
    for (const forbidden of ["primary_access_key", "secondary_access_key", "primary_connection_string", "storage_access_key", "zip_deploy_file", "instrumentation_key", "site_credential"]) {
      expect(moduleText, forbidden).not.toContain(forbidden);
    }
  });

  it("runs the app on Flex Consumption with the user-assigned identity for the package and storage", () => {
    expect(attr("azurerm_service_plan", "this", "sku_name")).toBe('"FC1"');
    const app = resource("azurerm_function_app_flex_consumption", "this");
    expect(attribute(app, "runtime_name")).toBe('"node"');
    expect(literal(attribute(block(moduleText, "variable", "node_version").body, "default"))).toBe("22");
    expect(attribute(app, "storage_authentication_type")).toBe('"UserAssignedIdentity"');
    expect(attribute(app, "storage_user_assigned_identity_id")).toBe("azurerm_user_assigned_identity.this.id");
    expect(attribute(app, "https_only")).toBe("true");
    expect(attribute(app, "webdeploy_publish_basic_authentication_enabled")).toBe("false");
    expect(attribute(block(app, "identity").body, "type")).toBe('"UserAssigned"');
  });

  it("disables key-based ingestion in Application Insights and keeps it workspace-based", () => {
    expect(attr("azurerm_application_insights", "this", "local_authentication_enabled")).toBe("false");
    expect(attr("azurerm_application_insights", "this", "workspace_id")).toBe("local.application_insights_workspace_id");
  });
});

describe("Azure module: alerts", () => {
  it("alerts on poison messages of this deployment's poison queue", () => {
    const rule = resource("azurerm_monitor_scheduled_query_rules_alert_v2", "poison");
    expect(attribute(rule, "scopes")).toBe("[azurerm_application_insights.this.id]");
    const query = attribute(block(rule, "criteria").body, "query") ?? "";
    expect(moduleText).toContain("'${local.poison_queue_name}'");
    expect(query.startsWith("<<-KQL")).toBe(true);
  });

  it("alerts on export lag of every configured table, from the worker's 'window exported' lines", () => {
    const rule = resource("azurerm_monitor_scheduled_query_rules_alert_v2", "export_lag");
    expect(attribute(rule, "scopes")).toBe("[azurerm_application_insights.this.id]");
    expect(attribute(rule, "query_time_range_override")).toBe('"P2D"');
    expect(moduleText).toContain("let expected = dynamic(${jsonencode(var.tables)});");
    expect(moduleText).toContain('tostring(e.message) == "window exported"');
  });
});

describe("Azure example", () => {
  const moduleCall = block(exampleText, "module", "log_export").body;
  const moduleVariables = blocks(moduleText, "variable").map((v) => ({ name: v.labels[0] as string, required: attribute(v.body, "default") === undefined }));

  it("passes only arguments the module declares", () => {
    const names = new Set(moduleVariables.map((v) => v.name));
    const passed = [...moduleCall.matchAll(/(?:^|\n)[ \t]*([a-z_][a-z0-9_]*)[ \t]*=(?!=)/g)].map((m) => m[1] as string).filter((n) => n !== "source");
    for (const n of passed) expect(names.has(n), `${n} is not a variable of the module`).toBe(true);
  });

  it("sets every required module variable, and only those plus the package path", () => {
    const passed = [...moduleCall.matchAll(/(?:^|\n)[ \t]*([a-z_][a-z0-9_]*)[ \t]*=(?!=)/g)].map((m) => m[1] as string).filter((n) => n !== "source");
    const required = moduleVariables.filter((v) => v.required).map((v) => v.name);
    expect(passed.filter((n) => n !== "package_path").sort()).toEqual([...required].sort());
  });

  it("declares exactly the variables it passes on", () => {
    const declared = blocks(exampleText, "variable").map((v) => v.labels[0] as string).sort();
    const used = [...new Set([...exampleText.matchAll(/var\.([a-z0-9_]+)/g)].map((m) => m[1] as string))].sort();
    expect(declared).toEqual(used);
  });
});
