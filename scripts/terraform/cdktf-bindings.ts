/**
 * Reads one resource's, data source's or provider's schema out of a @cdktf/provider-* package:
 * bindings generated from `terraform providers schema -json` of one provider version. Each type has
 * a folder under lib/ whose index.d.ts declares the arguments (an interface per block, optional
 * ones marked `?`, blocks documented as "<name> block", each linked to `…#<terraform_name>`) and
 * whose index.js reads every attribute, computed ones included, by its Terraform name.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AttributeSchema, BlockSchema, NestedBlockSchema } from "./schema.js";

interface Property {
  readonly name: string;
  readonly optional: boolean;
  /** The interface of a nested block; undefined for an attribute. */
  readonly block: string | undefined;
}

export type BindingKind = "resource" | "data" | "provider";

function interfaces(declarations: string): Map<string, Property[]> {
  const found = new Map<string, Property[]>();
  for (const m of declarations.matchAll(/^export interface (\w+)(?: extends [\w.]+)? \{\n([\s\S]*?)^\}/gm)) {
    const properties: Property[] = [];
    for (const p of (m[2] as string).matchAll(/\/\*\*([\s\S]*?)\*\/\s*readonly (\w+)(\?)?: ([^;]+);/g)) {
      const doc = p[1] as string;
      const name = /\{@link https:\/\/registry\.terraform\.io\/[^#\s]+#(\w+) /.exec(doc)?.[1];
      if (name === undefined) throw new Error(`${m[1]}.${p[2]}: no Terraform name in its documentation`);
      const isBlock = new RegExp(`^\\s*\\*\\s*${name} block\\s*$`, "m").test(doc);
      const block = isBlock ? /\b([A-Z]\w*)\b/.exec((p[4] as string).replace(/cdktf\.IResolvable/g, ""))?.[1] : undefined;
      if (isBlock && block === undefined) throw new Error(`${m[1]}.${name}: a block without an interface`);
      properties.push({ name, optional: p[3] === "?", block });
    }
    found.set(m[1] as string, properties);
  }
  return found;
}

/** Terraform names read by a class's getters: every attribute, those only the provider sets included. */
function readNames(code: string, className: string | undefined): string[] {
  if (className === undefined) return [];
  const start = code.search(new RegExp(`^class ${className} extends `, "m"));
  if (start === -1) return [];
  const end = code.indexOf(`\nexports.${className} = ${className};`, start);
  const body = code.slice(start, end === -1 ? undefined : end);
  const names: string[] = [];
  for (const g of body.matchAll(/\n {4}get (\w+)\(\) \{\n([\s\S]*?)\n {4}\}/g)) {
    if ((g[1] as string).endsWith("Input")) continue;
    const name = /'([a-z0-9_]+)'/.exec(g[2] as string)?.[1];
    if (name !== undefined) names.push(name);
  }
  return names;
}

function blockSchema(name: string, declared: Map<string, Property[]>, code: string, readerClass: string | undefined): BlockSchema {
  const properties = declared.get(name);
  if (properties === undefined) throw new Error(`no interface ${name}`);
  const attributes: Record<string, AttributeSchema> = {};
  const blocks: Record<string, NestedBlockSchema> = {};
  for (const p of properties) {
    if (p.block === undefined) {
      attributes[p.name] = p.optional ? {} : { required: true };
    } else {
      const nested = blockSchema(p.block, declared, code, `${p.block}OutputReference`);
      blocks[p.name] = p.optional ? nested : { ...nested, required: true };
    }
  }
  for (const computed of readNames(code, readerClass)) {
    if (!(computed in attributes) && !(computed in blocks)) attributes[computed] = { computed: true };
  }
  return { attributes: sorted(attributes), blocks: sorted(blocks) };
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** lib/<folder> of a type: aws_lambda_function → lambda-function, data aws_region → data-aws-region. */
function folder(kind: BindingKind, type: string): string {
  if (kind === "provider") return "provider";
  const kebab = type.replace(/_/g, "-");
  return kind === "data" ? `data-${kebab}` : kebab.slice(kebab.indexOf("-") + 1);
}

const BASE: Readonly<Record<BindingKind, string>> = { resource: "TerraformResource", data: "TerraformDataSource", provider: "TerraformProvider" };

export function readBinding(packageDir: string, kind: BindingKind, type: string): BlockSchema {
  const dir = join(packageDir, "lib", folder(kind, type));
  if (!existsSync(join(dir, "index.js"))) throw new Error(`${packageDir} has no ${kind} ${type} (looked in ${dir})`);
  const code = readFileSync(join(dir, "index.js"), "utf8");
  const className = new RegExp(`^class (\\w+) extends cdktf\\.${BASE[kind]} \\{`, "m").exec(code)?.[1];
  const declaredType = /\.tfResourceType = "([^"]+)";/.exec(code)?.[1];
  if (className === undefined || (kind !== "provider" && declaredType !== type))
    throw new Error(`${dir} does not hold ${kind} ${type} (it holds ${declaredType ?? "nothing"})`);
  // A provider's getters only echo its arguments; resources and data sources also read what the provider computes.
  return blockSchema(`${className}Config`, interfaces(readFileSync(join(dir, "index.d.ts"), "utf8")), code, kind === "provider" ? undefined : className);
}
