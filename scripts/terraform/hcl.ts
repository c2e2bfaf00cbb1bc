/**
 * A Terraform directory as data: every `.tf` file parsed by HashiCorp's HCL parser (compiled to
 * WebAssembly in @cdktf/hcl2json) into JSON. Blocks become lists of bodies; an expression that is
 * not a plain literal becomes a string holding `${…}` (a template keeps its literal text around it,
 * and its escapes `$${` and `%%{` as written, so they are never read as interpolations).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "@cdktf/hcl2json";

export type HclValue = string | number | boolean | null | readonly HclValue[] | HclBody;
export interface HclBody {
  readonly [key: string]: HclValue;
}

export const BLOCK_KINDS = ["terraform", "provider", "variable", "locals", "resource", "data", "module", "output", "moved"] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

/** How many labels each top-level block kind has in HCL (resource "type" "name": 2). */
const LABELS: Readonly<Record<BlockKind, number>> = { terraform: 0, provider: 1, variable: 1, locals: 0, resource: 2, data: 2, module: 1, output: 1, moved: 0 };

export interface TopBlock {
  readonly kind: BlockKind;
  readonly labels: readonly string[];
  readonly body: HclBody;
  /** The file, relative to the module's directory. */
  readonly file: string;
}

export interface TerraformModule {
  readonly dir: string;
  readonly blocks: readonly TopBlock[];
}

export function isBody(value: HclValue | undefined): value is HclBody {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The bodies of a nested block (`rule { … }` written n times: n bodies); none when absent. */
export function blockBodies(body: HclBody, name: string): HclBody[] {
  const value = body[name];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isBody)) throw new Error(`${name} is not a block`);
  return [...value];
}

/** `{ label: [body] }` (one more label level) flattened into labels and bodies. */
function labelled(value: HclValue, depth: number, labels: readonly string[]): { labels: string[]; body: HclBody }[] {
  if (depth === 0) {
    if (!Array.isArray(value) || !value.every(isBody)) throw new Error(`block ${labels.join(" ")} has no body`);
    return value.map((body) => ({ labels: [...labels], body }));
  }
  if (!isBody(value)) throw new Error(`block ${labels.join(" ")} is missing a label`);
  return Object.entries(value).flatMap(([label, inner]) => labelled(inner, depth - 1, [...labels, label]));
}

function isBlockKind(key: string): key is BlockKind {
  return (BLOCK_KINDS as readonly string[]).includes(key);
}

/** Stand-ins the parser keeps as they are (it drops private-use characters), put back after parsing. */
const ESCAPED = [
  ["$${", "§DOLLAR§{"],
  ["%%{", "§PERCENT§{"],
] as const;

function restoreEscapes(value: HclValue): HclValue {
  if (typeof value === "string") return ESCAPED.reduce((text, [escaped, standIn]) => text.replaceAll(standIn, () => escaped), value);
  if (Array.isArray(value)) return value.map(restoreEscapes);
  if (isBody(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreEscapes(v)]));
  return value;
}

export async function parseTerraformFile(file: string, text: string): Promise<TopBlock[]> {
  const json: unknown = await parse(
    file,
    ESCAPED.reduce((t, [escaped, standIn]) => t.replaceAll(escaped, () => standIn), text),
  );
  if (!isBody(json as HclValue)) throw new Error(`${file}: the parser returned no object`);
  return Object.entries(restoreEscapes(json as HclBody) as HclBody).flatMap(([key, value]) => {
    if (!isBlockKind(key)) throw new Error(`${file}: unknown top-level block ${key}`);
    return labelled(value, LABELS[key], []).map((b) => ({ kind: key, labels: b.labels, body: b.body, file }));
  });
}

export async function loadModule(dir: string): Promise<TerraformModule> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".tf"))
    .sort();
  const parsed = await Promise.all(files.map((f) => parseTerraformFile(f, readFileSync(join(dir, f), "utf8"))));
  return { dir, blocks: parsed.flat() };
}

export function blocksOf(module: TerraformModule, kind: BlockKind): TopBlock[] {
  return module.blocks.filter((b) => b.kind === kind);
}

/** How a message names a block: resource "aws_s3_bucket" "exports". */
export function address(block: Pick<TopBlock, "kind" | "labels">): string {
  return [block.kind, ...block.labels.map((l) => JSON.stringify(l))].join(" ");
}

/** Every local value with the file that defines it. */
export function locals(module: TerraformModule): Map<string, { readonly value: HclValue; readonly file: string }> {
  const found = new Map<string, { value: HclValue; file: string }>();
  for (const block of blocksOf(module, "locals")) {
    for (const [name, value] of Object.entries(block.body)) {
      if (found.has(name)) throw new Error(`${module.dir}: local.${name} is defined twice`);
      found.set(name, { value, file: block.file });
    }
  }
  return found;
}
