/**
 * The provider schemas the Terraform check compares the modules with: trimmed to the resource and
 * data source types the modules use, written by scripts/terraform-schema.ts, kept in
 * terraform/schema/. The shape follows `terraform providers schema -json`, smaller.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Neither flag: an optional argument. `computed`: read-only, set by the provider. */
export interface AttributeSchema {
  readonly required?: true;
  readonly computed?: true;
}

export interface BlockSchema {
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
  readonly blocks: Readonly<Record<string, NestedBlockSchema>>;
}

export interface NestedBlockSchema extends BlockSchema {
  readonly required?: true;
}

export interface ProviderSchema {
  /** Registry source as written in required_providers, e.g. `hashicorp/aws`. */
  readonly source: string;
  /** The provider version this schema describes. */
  readonly version: string;
  /** Where the schema came from (binding package and version, changes applied), for people. */
  readonly origin: string;
  readonly provider: BlockSchema;
  readonly resources: Readonly<Record<string, BlockSchema>>;
  readonly dataSources: Readonly<Record<string, BlockSchema>>;
}

export const SCHEMA_DIR = "terraform/schema";

/** The source Terraform gives its built-in provider (terraform_data). */
export const BUILTIN_SOURCE = "terraform.io/builtin/terraform";

export function schemaFileName(source: string): string {
  return `${source.replace(/[^A-Za-z0-9]+/g, "-")}.json`;
}

export function loadSchemas(dir: string): Map<string, ProviderSchema> {
  const schemas = new Map<string, ProviderSchema>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const schema = JSON.parse(readFileSync(join(dir, file), "utf8")) as ProviderSchema;
    schemas.set(schema.source, schema);
  }
  return schemas;
}

type Version = readonly [number, number, number];

function parseVersion(text: string): { readonly version: Version; readonly parts: number } {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) throw new Error(`not a version: ${JSON.stringify(text)}`);
  return { version: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], parts: [m[1], m[2], m[3]].filter((p) => p !== undefined).length };
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether a Terraform version constraint (`~> 6.0`, `>= 1.9.0, < 2.0`, …) admits a version. */
export function admits(constraint: string, version: string): boolean {
  const v = parseVersion(version).version;
  return constraint.split(",").every((term) => {
    const m = /^\s*(~>|>=|<=|!=|>|<|=)?\s*(\S+)\s*$/.exec(term);
    if (m === null) throw new Error(`not a version constraint: ${JSON.stringify(constraint)}`);
    const operator = m[1] ?? "=";
    const bound = parseVersion(m[2] as string);
    const c = compare(v, bound.version);
    switch (operator) {
      case "~>": {
        // ~> 6.0 allows 6.x; ~> 4.78.1 allows 4.78.x: everything but the last given part stays.
        const upper: Version = bound.parts <= 2 ? [bound.version[0] + 1, 0, 0] : [bound.version[0], bound.version[1] + 1, 0];
        return c >= 0 && compare(v, upper) < 0;
      }
      case ">=":
        return c >= 0;
      case "<=":
        return c <= 0;
      case ">":
        return c > 0;
      case "<":
        return c < 0;
      case "!=":
        return c !== 0;
      default:
        return c === 0;
    }
  });
}
