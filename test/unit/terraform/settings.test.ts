/**
 * One source of truth for settings: the app settings the Azure Terraform module sets and the
 * settings table the code reads (shared/settings/spec.ts) must match. Every name Terraform sets is
 * one the code reads, or one the platform reads (listed below with the reader); every setting the
 * code reads is set by Terraform or deliberately left to its default (listed below with the reason).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allSettings, type SettingSpec } from "../../../shared/settings/spec.js";
import { blocksOf, locals } from "../../../scripts/terraform/hcl.js";
import { referencesIn } from "../../../scripts/terraform/references.js";
import { loadTerraform, local, objectLiterals, resource, ROOT, variable } from "./hcl.js";

/** Settings the code reads that Terraform must not set. */
const LOCAL_ONLY: Readonly<Record<string, string>> = {
  ExportStorage:
    "a storage connection string for local development; in Azure the identity-based ExportStorage__* settings replace it (no keys in app settings)",
};

/** Settings the code reads that Terraform leaves to the code's default, on purpose. */
const LEFT_TO_DEFAULT: Readonly<Record<string, string>> = {
  LOGEXPORT_GAP_REPAIR_AFTER_MINUTES:
    "engine tuning: how long a planned window may stay in flight before the planner enqueues it again; the default outlasts the queue's five tries",
  LOGEXPORT_PART_MAX_ROWS: "engine tuning under the Log Analytics result limit (500,000 rows); the default is what the tests and benchmarks measure",
  LOGEXPORT_PART_MAX_BYTES: "engine tuning under the Log Analytics result limit (about 64 MB); the default is what the tests and benchmarks measure",
  LOGEXPORT_QUERY_TIMEOUT_SECONDS: "the service maximum (600 s) is already the default",
  LOGEXPORT_READ_IDLE_SECONDS: "stall detection tuned with the fake API; no deployment-specific reason to change it",
  LOGEXPORT_BACKFILL_MAX_WINDOWS: "a guard on one HTTP request's size, not a deployment property; the CLI backfill covers larger ranges",
  LOGEXPORT_SANITIZE: "on by default (the built-in rules); turning it off is an operator's explicit choice, not a module variable",
  LOGEXPORT_SANITIZER_CONFIG: "optional custom rules an operator adds as an app setting or file; the built-in rules apply without it",
};

/** Names Terraform sets that the code does not read, because the platform or a library does. */
const READ_BY_PLATFORM: Readonly<Record<string, string>> = {
  AzureWebJobsStorage__accountName: "Functions host: host storage (timer locks, keys) with an identity",
  AzureWebJobsStorage__credential: "Functions host: host storage with an identity",
  AzureWebJobsStorage__clientId: "Functions host: which user-assigned identity to use for host storage",
  ExportStorage__credential: "Functions host: the queue trigger's identity-based ExportStorage connection (the code's own clients use DefaultAzureCredential)",
  AZURE_CLIENT_ID: "@azure/identity DefaultAzureCredential (the code also passes ExportStorage__clientId explicitly)",
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Functions host: Entra ID authenticated telemetry to Application Insights",
};

/**
 * Names Terraform sets before the Functions code reads them. Each must be read by some source file
 * in the repository (or it has no business in the app settings) and must not yet be in the
 * settings table: once it is, it belongs there and this entry must go.
 */
const AHEAD_OF_CODE: Readonly<Record<string, string>> = {};

interface Comparison {
  readonly unknownInTerraform: string[];
  readonly missingFromTerraform: string[];
  readonly setButExcluded: string[];
}

/** The comparison itself, pure, so the test can also show that it catches a one-sided change. */
function compare(terraformKeys: readonly string[], code: readonly SettingSpec[]): Comparison {
  const codeNames = new Set(code.map((s) => s.name));
  const tf = new Set(terraformKeys);
  return {
    unknownInTerraform: terraformKeys.filter((k) => !codeNames.has(k) && !(k in READ_BY_PLATFORM) && !(k in AHEAD_OF_CODE)),
    missingFromTerraform: [...codeNames].filter((n) => !tf.has(n) && !(n in LOCAL_ONLY) && !(n in LEFT_TO_DEFAULT)),
    setButExcluded: terraformKeys.filter((k) => k in LOCAL_ONLY || k in LEFT_TO_DEFAULT),
  };
}

const azure = await loadTerraform("terraform/modules/azure-log-export");
const [always, ...conditional] = await objectLiterals(local(azure, "app_settings"));
/** Each app setting with its value as written (HCL source), the conditional ones included. */
const settings = [...(always?.entries ?? []), ...conditional.flatMap((o) => [...o.entries])];
const entries = new Map(settings);
const terraformKeys = settings.map(([name]) => name);
const code = allSettings();

/** A number variable's default. */
function numberDefault(name: string): number {
  const value = variable(azure, name).default;
  if (typeof value !== "number") throw new Error(`var.${name} has no number default`);
  return value;
}

/**
 * A local that falls back to a value derived from other variables: `coalesce(var.x, "… ${(var.y + N) % M} …")`
 * with var.x null by default (the planner's schedule, derived from the ingestion delay).
 */
function derivedDefault(value: unknown): string | undefined {
  const match = typeof value === "string" ? /^\$\{coalesce\(var\.(\w+), "(.*)"\)\}$/.exec(value) : null;
  if (match === null || variable(azure, match[1] ?? "").default !== null) return undefined;
  return (match[2] ?? "").replace(/\$\{\(var\.(\w+) \+ (\d+)\) % (\d+)\}/g, (_, name: string, add: string, mod: string) =>
    String((numberDefault(name) + Number(add)) % Number(mod)),
  );
}

/** The value Terraform gives a setting when the module's variables keep their defaults. */
async function defaultValue(source: string): Promise<string | undefined> {
  const literal: unknown = /^"[^$%]*"$/.test(source) ? JSON.parse(source) : undefined;
  if (typeof literal === "string") return literal;
  // A switch from a bool variable: `var.x ? "on" : "off"`.
  const conditional = /^var\.(\w+) \? ("[^"$%]*") : ("[^"$%]*")$/.exec(source);
  const flag = conditional?.[1] === undefined ? undefined : variable(azure, conditional[1]).default;
  if (typeof flag === "boolean") return JSON.parse((flag ? conditional?.[2] : conditional?.[3]) ?? "") as string;
  const references = await referencesIn(`\${${source}}`);
  const [only] = references;
  const name = only?.steps[0];
  if (references.length !== 1 || only === undefined || name === undefined || !("name" in name)) return undefined;
  if (only.root === "local") return derivedDefault(local(azure, name.name));
  if (only.root === "var") {
    const value = variable(azure, name.name).default;
    if (typeof value === "string" || typeof value === "number") return String(value);
    // A collection joined into one setting (`join(",", [for … in var.x : …])`): empty by default, an empty setting.
    const empty = (Array.isArray(value) && value.length === 0) || (typeof value === "object" && value !== null && Object.keys(value).length === 0);
    return empty && source.startsWith("join(") ? "" : undefined;
  }
  const attribute = only.steps[1];
  if (attribute !== undefined && "name" in attribute && attribute.name === "name") {
    const nameValue = resource(azure, only.root, name.name).name;
    return typeof nameValue === "string" && nameValue.startsWith("${") ? defaultValue(nameValue.slice(2, -1)) : undefined;
  }
  return undefined;
}

describe("Terraform app settings and the code's settings table", () => {
  it("reads the module's app settings", () => {
    expect(terraformKeys.length).toBeGreaterThan(20);
    expect(new Set(terraformKeys).size, "no key twice").toBe(terraformKeys.length);
    expect(terraformKeys).toContain("LOGEXPORT_WORKSPACE_ID");
    expect(terraformKeys).toContain("ExportStorage__queueServiceUri");
  });

  it("sets app settings in one place only: the function app takes exactly local.app_settings", () => {
    expect(resource(azure, "azurerm_function_app_flex_consumption", "this").app_settings).toBe("${local.app_settings}");
    expect(blocksOf(azure, "resource").filter((r) => "app_settings" in r.body)).toHaveLength(1);
    expect(locals(azure).has("app_settings")).toBe(true);
  });

  it("sets only names the code reads (LOGEXPORT_*, AZURE_LOGS_ENDPOINT, ExportStorage__*), or the listed platform ones", () => {
    const result = compare(terraformKeys, code);
    expect(result.unknownInTerraform, "set by Terraform, read by nobody listed").toEqual([]);
    const ours = terraformKeys.filter((k) => /^(LOGEXPORT_|AZURE_LOGS_ENDPOINT$|ExportStorage)/.test(k));
    for (const k of ours) {
      if (k in AHEAD_OF_CODE || k in READ_BY_PLATFORM) continue;
      expect(
        code.map((s) => s.name),
        k,
      ).toContain(k);
    }
  });

  it("sets every setting the code reads, except the listed local-only and left-to-default ones", () => {
    const result = compare(terraformKeys, code);
    expect(result.missingFromTerraform, "read by the code, not set by Terraform and not listed").toEqual([]);
    expect(result.setButExcluded, "listed as not set, yet set").toEqual([]);
  });

  it("keeps the exception lists honest", () => {
    const byName = new Map(code.map((s) => [s.name, s]));
    for (const name of Object.keys(LOCAL_ONLY)) expect(byName.has(name), `${name} is a setting the code reads`).toBe(true);
    for (const name of Object.keys(LEFT_TO_DEFAULT)) {
      const spec = byName.get(name);
      expect(spec, `${name} is a setting the code reads`).toBeDefined();
      expect(spec?.required, `${name} is required, so it cannot be left to a default`).not.toBe(true);
      expect(spec?.default, `${name} has a default to be left to`).toBeDefined();
    }
    for (const name of [...Object.keys(READ_BY_PLATFORM), ...Object.keys(AHEAD_OF_CODE)]) {
      expect(byName.has(name), `${name} is now in the settings table: remove it from the exception list`).toBe(false);
      expect(terraformKeys, `${name} is listed but Terraform no longer sets it`).toContain(name);
    }
  });

  it("sets a Terraform-ahead setting only if some source file reads it", () => {
    const sources = ["cli", "shared", "functions"].flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith(".ts"))
        .map((e) => readFileSync(join(e.parentPath, e.name), "utf8")),
    );
    for (const name of Object.keys(AHEAD_OF_CODE)) {
      expect(
        sources.some((text) => text.includes(name)),
        `no source file reads ${name}`,
      ).toBe(true);
    }
  });

  it("sets every required setting", () => {
    for (const spec of code.filter((s) => s.required)) expect(terraformKeys, spec.name).toContain(spec.name);
  });

  it("defaults the module's variables to the code's defaults", async () => {
    for (const spec of code) {
      const expression = entries.get(spec.name);
      if (expression === undefined || spec.default === undefined) continue;
      const value = await defaultValue(expression);
      expect(value, `${spec.name} = ${expression}: the reader cannot resolve its default; extend defaultValue()`).toBeDefined();
      expect(value, `${spec.name}: Terraform's default vs the code's default`).toBe(spec.default);
    }
  });

  it("would fail on a setting added on one side only", () => {
    expect(compare([...terraformKeys, "LOGEXPORT_NEW_KNOB"], code).unknownInTerraform).toContain("LOGEXPORT_NEW_KNOB");
    const extra: SettingSpec = { name: "LOGEXPORT_OTHER_KNOB", default: "1", description: "new in the code" };
    expect(compare(terraformKeys, [...code, extra]).missingFromTerraform).toContain("LOGEXPORT_OTHER_KNOB");
    expect(
      compare(
        terraformKeys.filter((k) => k !== "LOGEXPORT_WINDOW_MINUTES"),
        code,
      ).missingFromTerraform,
    ).toContain("LOGEXPORT_WINDOW_MINUTES");
  });
});
