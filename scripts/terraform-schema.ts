/**
 * Regenerates terraform/schema/: the provider schemas the Terraform check (scripts/terraform-check.ts)
 * compares the modules with, trimmed to the types the modules and examples use. The schemas come
 * from the cdktf provider bindings (hundreds of MB each), installed once into a scratch directory
 * rather than into this repository:
 *
 *   npm run terraform:schema                       # installs into /tmp/logexport-terraform-schema when needed
 *   npm run terraform:schema -- --from <dir>       # a directory where the packages are already installed
 *
 * Run it after adding a resource or data source type to a module, or when versions.tf moves.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AZURERM_CHANGES, type SchemaChange, type SchemaChanges } from "./terraform/azurerm-changes.js";
import { readBinding } from "./terraform/cdktf-bindings.js";
import { terraformDirs } from "./terraform/check.js";
import { blocksOf, blockBodies, isBody, loadModule, type TerraformModule } from "./terraform/hcl.js";
import { BUILTIN_SOURCE, SCHEMA_DIR, schemaFileName, type BlockSchema, type ProviderSchema } from "./terraform/schema.js";

interface Binding {
  readonly source: string;
  readonly packageName: string;
  readonly packageVersion: string;
  /** The provider version the package was generated from (its package.json says which). */
  readonly providerVersion: string;
  readonly changes?: SchemaChanges;
}

/** For each provider the lowest version versions.tf admits that a binding (plus recorded changes) describes. */
const BINDINGS: readonly Binding[] = [
  { source: "hashicorp/aws", packageName: "@cdktf/provider-aws", packageVersion: "21.0.0", providerVersion: "6.0.0" },
  { source: "hashicorp/azurerm", packageName: "@cdktf/provider-azurerm", packageVersion: "14.23.1", providerVersion: "4.55.0", changes: AZURERM_CHANGES },
];

/** Terraform's built-in provider has no binding; its one resource used here, as Terraform documents it (1.4+). */
const BUILTIN: ProviderSchema = {
  source: BUILTIN_SOURCE,
  version: "1.4.0",
  origin: "written by hand from Terraform's documentation of terraform_data (Terraform 1.4 and later)",
  provider: { attributes: {}, blocks: {} },
  resources: { terraform_data: { attributes: { id: { computed: true }, input: {}, output: { computed: true }, triggers_replace: {} }, blocks: {} } },
  dataSources: {},
};

const DEFAULT_SCRATCH = "/tmp/logexport-terraform-schema";

interface UsedTypes {
  readonly resources: Set<string>;
  readonly dataSources: Set<string>;
}

/** Types per provider source, each type's provider being its name up to the first underscore. */
function usedTypes(modules: readonly TerraformModule[]): Map<string, UsedTypes> {
  const sources = new Map<string, string>([["terraform", BUILTIN_SOURCE]]);
  for (const m of modules) {
    for (const t of blocksOf(m, "terraform")) {
      for (const required of blockBodies(t.body, "required_providers")) {
        for (const [name, spec] of Object.entries(required)) {
          if (isBody(spec) && typeof spec.source === "string") sources.set(name, spec.source);
        }
      }
    }
  }
  const used = new Map<string, UsedTypes>();
  const add = (type: string, kind: keyof UsedTypes): void => {
    const local = type.slice(0, type.indexOf("_"));
    const source = sources.get(local);
    if (source === undefined) throw new Error(`${type}: no required_providers entry names provider ${local}`);
    if (!used.has(source)) used.set(source, { resources: new Set(), dataSources: new Set() });
    used.get(source)?.[kind].add(type);
  };
  for (const m of modules) {
    for (const b of blocksOf(m, "resource")) add(b.labels[0] as string, "resources");
    for (const b of blocksOf(m, "data")) add(b.labels[0] as string, "dataSources");
  }
  return used;
}

function install(scratch: string): void {
  mkdirSync(scratch, { recursive: true });
  const packages = BINDINGS.map((b) => `${b.packageName}@${b.packageVersion}`);
  console.log(`installing ${packages.join(", ")} into ${scratch} (once; several hundred MB)`);
  execFileSync("npm", ["install", "--prefix", scratch, "--no-save", "--no-audit", "--no-fund", "--ignore-scripts", "--legacy-peer-deps", ...packages], {
    stdio: "inherit",
  });
}

function packageDir(scratch: string, binding: Binding): string {
  const dir = join(scratch, "node_modules", binding.packageName);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string; cdktf?: { provider?: { version?: string } } };
  if (manifest.version !== binding.packageVersion || manifest.cdktf?.provider?.version !== binding.providerVersion) {
    throw new Error(
      `${dir} is ${manifest.version} for provider ${manifest.cdktf?.provider?.version}, expected ${binding.packageVersion} for ${binding.providerVersion}: remove ${scratch} and run again`,
    );
  }
  return dir;
}

function byName<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** A copy of `block` with one change applied at its path. */
function applied(block: BlockSchema, change: SchemaChange, depth = 0): BlockSchema {
  const step = change.path[depth];
  if (step === undefined) return { attributes: byName({ ...block.attributes, ...change.attributes }), blocks: byName({ ...block.blocks, ...change.blocks }) };
  const nested = block.blocks[step];
  if (nested === undefined) throw new Error(`${change.type}: no block ${change.path.slice(0, depth + 1).join(".")} to change`);
  return { ...block, blocks: { ...block.blocks, [step]: { ...nested, ...applied(nested, change, depth + 1) } } };
}

function withChanges(kind: SchemaChange["kind"], type: string, block: BlockSchema, changes: SchemaChanges | undefined): BlockSchema {
  return (changes?.changes ?? []).filter((c) => c.kind === kind && c.type === type).reduce((b, c) => applied(b, c), block);
}

function providerSchema(dir: string, binding: Binding, types: UsedTypes): ProviderSchema {
  const local = binding.source.slice(binding.source.indexOf("/") + 1);
  const read = (kind: "resource" | "data", names: Set<string>): Record<string, BlockSchema> =>
    Object.fromEntries([...names].sort().map((t) => [t, withChanges(kind, t, readBinding(dir, kind, t), binding.changes)]));
  const changed =
    binding.changes === undefined ? "" : `, with the changes of ${binding.changes.from} → ${binding.changes.to} listed in scripts/terraform/azurerm-changes.ts`;
  return {
    source: binding.source,
    version: binding.changes?.to ?? binding.providerVersion,
    origin: `${binding.packageName}@${binding.packageVersion} (generated from provider ${binding.providerVersion})${changed}; regenerate with npm run terraform:schema`,
    provider: withChanges("provider", local, readBinding(dir, "provider", local), binding.changes),
    resources: read("resource", types.resources),
    dataSources: read("data", types.dataSources),
  };
}

function write(schema: ProviderSchema): void {
  const file = join(SCHEMA_DIR, schemaFileName(schema.source));
  writeFileSync(file, `${JSON.stringify(schema, null, 1)}\n`);
  console.log(
    `${file}: ${Object.keys(schema.resources).length} resource and ${Object.keys(schema.dataSources).length} data source types, provider ${schema.version}`,
  );
}

const { values } = parseArgs({ options: { from: { type: "string" } } });
const scratch = values.from ?? DEFAULT_SCRATCH;
if (values.from === undefined && !BINDINGS.every((b) => existsSync(join(scratch, "node_modules", b.packageName, "package.json")))) install(scratch);

const used = usedTypes(await Promise.all(terraformDirs().map(loadModule)));
mkdirSync(SCHEMA_DIR, { recursive: true });
for (const [source, types] of used) {
  if (source === BUILTIN_SOURCE) {
    const missing = [...[...types.resources].filter((t) => !(t in BUILTIN.resources)), ...[...types.dataSources].filter((t) => !(t in BUILTIN.dataSources))];
    if (missing.length > 0) throw new Error(`built-in types not described in scripts/terraform-schema.ts: ${missing.join(", ")}`);
    write(BUILTIN);
    continue;
  }
  const binding = BINDINGS.find((b) => b.source === source);
  if (binding === undefined) throw new Error(`no binding listed for ${source} in scripts/terraform-schema.ts`);
  write(providerSchema(packageDir(scratch, binding), binding, types));
}
