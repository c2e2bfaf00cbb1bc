import { ConfigurationError } from "./errors.js";

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Log Analytics table names: a letter or underscore, then letters, digits, underscores (custom tables end in `_CL`). */
export function isTableName(value: unknown): value is string {
  return typeof value === "string" && TABLE_NAME.test(value);
}

export function assertTableName(value: unknown, where: string): string {
  if (!isTableName(value)) {
    throw new ConfigurationError(
      `${where}: ${JSON.stringify(value)} is not a valid table name (letters, digits and underscores, starting with a letter or underscore, at most 63 characters)`,
    );
  }
  return value;
}

const WORKSPACE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RUN_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** A Log Analytics workspace id: a GUID. */
export function isWorkspaceId(value: string): boolean {
  return WORKSPACE_ID.test(value);
}

/** Run ids travel in messages, object metadata and blob names: 1-100 letters, digits and . _ : - */
export function isRunId(value: unknown): value is string {
  return typeof value === "string" && RUN_ID.test(value);
}

const CONTAINER_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** Blob container and queue names: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit. */
export function isContainerName(value: string): boolean {
  return CONTAINER_NAME.test(value);
}

/** The placeholder a container name template holds to give each table its own container (seed 000's per-table containers). */
export const TABLE_PLACEHOLDER = "{table}";

/** A table's container: the template with `{table}` replaced by the table name in lowercase, `_` as `-` (`logs-{table}` → `logs-custom-cl`). */
export function containerNameFor(template: string, table: string): string {
  return template.replaceAll(TABLE_PLACEHOLDER, table.toLowerCase().replaceAll("_", "-"));
}

const OBJECT_PREFIX = /^([A-Za-z0-9._=-]+(\/[A-Za-z0-9._=-]+)*)?$/;

/** An object-name prefix: empty, or `/`-separated segments of letters, digits and . _ = - (no `..` segment, which a URL would resolve out of its container). */
export function isObjectPrefix(value: string): boolean {
  return OBJECT_PREFIX.test(value) && !value.split("/").some((segment) => segment === "." || segment === "..");
}
