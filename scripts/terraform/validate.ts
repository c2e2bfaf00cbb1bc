/**
 * What `terraform validate` would say about names, checked without a provider: every resource,
 * data source and provider block against the provider's schema (unknown types, arguments and
 * blocks, missing required ones, read-only attributes set), every reference against what the
 * module declares and what the schema says a type exports, module calls against the called
 * module's variables and outputs, and versions.tf against the schema's provider version.
 * Values are not checked: validators, types and rules the cloud's API applies are not here.
 */
import { join } from "node:path";
import type { GraphNode } from "./graph.js";
import { address, blockBodies, blocksOf, isBody, locals, type HclBody, type TerraformModule, type TopBlock } from "./hcl.js";
import { DATA_META, DYNAMIC, merged, MODULE_META, OUTPUT, PROVIDER_META, PROVISIONERS, RESOURCE_META, VARIABLE } from "./language.js";
import type { Reference, Step } from "./references.js";
import { admits, BUILTIN_SOURCE, type BlockSchema, type ProviderSchema } from "./schema.js";

export interface Finding {
  /** The file, relative to the working directory. */
  readonly file: string;
  /** The block (and nested path) the finding is about. */
  readonly at: string;
  readonly message: string;
}

export interface Coverage {
  /** Resource, data source and provider blocks compared with a provider schema. */
  blocks: number;
  /** Arguments and nested blocks compared with a schema, at any depth. */
  arguments: number;
  /** References resolved against declarations and schemas. */
  references: number;
}

export interface CalledModule {
  readonly variables: ReadonlyMap<string, { readonly required: boolean }>;
  readonly outputs: ReadonlySet<string>;
}

export interface ValidateOptions {
  readonly schemas: ReadonlyMap<string, ProviderSchema>;
  /** The module a call's `source` names, when it is a local path; undefined for registry or remote sources. */
  readonly calledModule: (source: string) => Promise<CalledModule | undefined>;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1)
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = row;
  }
  return previous[b.length] ?? 0;
}

function suggestion(name: string, candidates: Iterable<string>): string {
  const best = [...candidates].map((c) => ({ c, d: distance(name, c) })).sort((x, y) => x.d - y.d)[0];
  return best !== undefined && best.d <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean ${best.c}?)` : "";
}

/** The provider a type belongs to: the `provider` meta-argument's name, else the type's first word. */
function providerName(type: string, body: HclBody): string {
  const explicit = typeof body.provider === "string" ? /^\$\{([a-z0-9_-]+)(?:\.[a-z0-9_-]+)?\}$/.exec(body.provider)?.[1] : undefined;
  return explicit ?? type.slice(0, type.indexOf("_"));
}

type Mode = "single" | "count" | "for_each";

function modeOf(body: HclBody): Mode {
  if (body.for_each !== undefined) return "for_each";
  return body.count !== undefined ? "count" : "single";
}

interface Declared {
  readonly schema: BlockSchema | undefined;
  readonly mode: Mode;
}

class ModuleValidator {
  readonly findings: Finding[] = [];
  readonly coverage: Coverage = { blocks: 0, arguments: 0, references: 0 };
  private readonly sources = new Map<string, string>([["terraform", BUILTIN_SOURCE]]);
  private readonly resources = new Map<string, Declared>();
  private readonly dataSources = new Map<string, Declared>();
  private readonly calls = new Map<string, { readonly mode: Mode; readonly called: CalledModule | undefined }>();
  private readonly variables: Set<string>;
  private readonly localNames: Set<string>;

  constructor(
    private readonly module: TerraformModule,
    private readonly options: ValidateOptions,
  ) {
    this.variables = new Set(blocksOf(module, "variable").map((b) => b.labels[0] as string));
    this.localNames = new Set(locals(module).keys());
  }

  private report(block: Pick<TopBlock, "file" | "kind" | "labels">, path: readonly string[], message: string): void {
    this.findings.push({ file: join(this.module.dir, block.file), at: [address(block), ...path].join(" › "), message });
  }

  private schemaFor(kind: "resource" | "data", block: TopBlock): BlockSchema | undefined {
    const type = block.labels[0] as string;
    const local = providerName(type, block.body);
    const source = this.sources.get(local) ?? `hashicorp/${local}`;
    const provider = this.options.schemas.get(source);
    if (provider === undefined) {
      this.report(block, [], `no schema for provider ${source}: list it in scripts/terraform-schema.ts and run npm run terraform:schema`);
      return undefined;
    }
    const schema = (kind === "resource" ? provider.resources : provider.dataSources)[type];
    if (schema === undefined) {
      const known = Object.keys(kind === "resource" ? provider.resources : provider.dataSources);
      this.report(
        block,
        [],
        `${source} ${provider.version} has no ${kind === "resource" ? "resource" : "data source"} type ${type} in terraform/schema${suggestion(type, known)}; a type new to the modules needs npm run terraform:schema`,
      );
    }
    return schema;
  }

  private checkVersions(): void {
    for (const t of blocksOf(this.module, "terraform")) {
      for (const required of blockBodies(t.body, "required_providers")) {
        for (const [name, spec] of Object.entries(required)) {
          if (!isBody(spec) || typeof spec.source !== "string") {
            this.report(t, ["required_providers", name], "needs a source");
            continue;
          }
          this.sources.set(name, spec.source);
          const schema = this.options.schemas.get(spec.source);
          if (schema === undefined) this.report(t, ["required_providers", name], `no schema for ${spec.source} in terraform/schema`);
          else if (typeof spec.version === "string" && !admits(spec.version, schema.version)) {
            this.report(
              t,
              ["required_providers", name],
              `the schema describes ${spec.source} ${schema.version}, which "${spec.version}" does not admit: regenerate it for the pinned version (npm run terraform:schema)`,
            );
          }
        }
      }
    }
  }

  /** One body against its schema: unknown names, read-only attributes, missing required arguments and blocks. */
  private checkBody(block: TopBlock, path: readonly string[], body: HclBody, schema: BlockSchema, counted: boolean): void {
    for (const [key, value] of Object.entries(body)) {
      if (counted) this.coverage.arguments += 1;
      if (key === "dynamic" && isBody(value)) this.checkDynamic(block, path, value, schema, counted);
      else if (key === "provisioner" && isBody(value) && path.length === 0 && block.kind === "resource") this.checkProvisioners(block, value);
      else if (key in schema.blocks) {
        const nested = schema.blocks[key] as BlockSchema;
        if (!Array.isArray(value) || !value.every(isBody)) this.report(block, [...path, key], `${key} is a block: write ${key} { … }, not ${key} = …`);
        else for (const b of value) this.checkBody(block, [...path, key], b as HclBody, nested, counted);
      } else if (key in schema.attributes) {
        if (schema.attributes[key]?.computed === true) this.report(block, [...path, key], `${key} is read-only: the provider sets it`);
      } else {
        this.report(
          block,
          [...path, key],
          `unknown argument or block "${key}"${suggestion(key, [...Object.keys(schema.attributes), ...Object.keys(schema.blocks)])}`,
        );
      }
    }
    const dynamicBlocks = isBody(body.dynamic) ? Object.keys(body.dynamic) : [];
    for (const [name, attribute] of Object.entries(schema.attributes)) {
      if (attribute.required === true && !(name in body)) this.report(block, path, `missing required argument "${name}"`);
    }
    for (const [name, nested] of Object.entries(schema.blocks)) {
      if (nested.required === true && !(name in body) && !dynamicBlocks.includes(name)) this.report(block, path, `missing required block "${name}"`);
    }
  }

  private checkDynamic(block: TopBlock, path: readonly string[], dynamic: HclBody, schema: BlockSchema, counted: boolean): void {
    for (const [label, generators] of Object.entries(dynamic)) {
      const nested = schema.blocks[label];
      if (nested === undefined) {
        this.report(block, [...path, `dynamic "${label}"`], `no block "${label}" here${suggestion(label, Object.keys(schema.blocks))}`);
        continue;
      }
      for (const generator of Array.isArray(generators) ? generators.filter(isBody) : []) {
        const { content, ...rest } = generator;
        this.checkBody(block, [...path, `dynamic "${label}"`], rest, DYNAMIC, false);
        const contents = Array.isArray(content) ? content.filter(isBody) : [];
        if (contents.length !== 1) this.report(block, [...path, `dynamic "${label}"`], "needs exactly one content block");
        for (const c of contents) this.checkBody(block, [...path, label], c, nested, counted);
      }
    }
  }

  private checkProvisioners(block: TopBlock, provisioners: HclBody): void {
    for (const [type, bodies] of Object.entries(provisioners)) {
      const schema = PROVISIONERS[type];
      if (schema === undefined) this.report(block, [`provisioner "${type}"`], `provisioner ${type} is not described in scripts/terraform/language.ts`);
      else for (const b of Array.isArray(bodies) ? bodies.filter(isBody) : []) this.checkBody(block, [`provisioner "${type}"`], b, schema, true);
    }
  }

  private async declare(): Promise<void> {
    this.checkVersions();
    for (const block of blocksOf(this.module, "resource")) {
      const schema = this.schemaFor("resource", block);
      this.resources.set(block.labels.join("."), { schema, mode: modeOf(block.body) });
      if (block.body.count !== undefined && block.body.for_each !== undefined) this.report(block, [], "count and for_each cannot both be set");
      if (schema !== undefined) {
        this.coverage.blocks += 1;
        this.checkBody(block, [], block.body, merged(schema, RESOURCE_META), true);
      }
    }
    for (const block of blocksOf(this.module, "data")) {
      const schema = this.schemaFor("data", block);
      this.dataSources.set(block.labels.join("."), { schema, mode: modeOf(block.body) });
      if (schema !== undefined) {
        this.coverage.blocks += 1;
        this.checkBody(block, [], block.body, merged(schema, DATA_META), true);
      }
    }
    for (const block of blocksOf(this.module, "provider")) {
      const name = block.labels[0] as string;
      const schema = this.options.schemas.get(this.sources.get(name) ?? `hashicorp/${name}`);
      if (schema === undefined) {
        this.report(block, [], `no schema for provider ${name}`);
        continue;
      }
      this.coverage.blocks += 1;
      this.checkBody(block, [], block.body, merged(schema.provider, PROVIDER_META), true);
    }
    for (const block of blocksOf(this.module, "variable")) this.checkBody(block, [], block.body, VARIABLE, false);
    for (const block of blocksOf(this.module, "output")) this.checkBody(block, [], block.body, OUTPUT, false);
    for (const block of blocksOf(this.module, "module")) await this.checkCall(block);
  }

  private async checkCall(block: TopBlock): Promise<void> {
    const name = block.labels[0] as string;
    const source = block.body.source;
    const called = typeof source === "string" ? await this.options.calledModule(source) : undefined;
    this.calls.set(name, { mode: modeOf(block.body), called });
    if (called === undefined) return;
    for (const key of Object.keys(block.body)) {
      if (!(key in MODULE_META.attributes) && !called.variables.has(key))
        this.report(block, [key], `the module has no variable "${key}"${suggestion(key, called.variables.keys())}`);
    }
    for (const [variable, { required }] of called.variables) {
      if (required && !(variable in block.body)) this.report(block, [], `missing required variable "${variable}"`);
    }
  }

  /** After `<type>.<name>` (or `data.<type>.<name>`): the instance key the mode asks for, then a path through the schema. */
  private checkInstancePath(node: GraphNode, reference: Reference, what: string, declared: Declared, rest: readonly Step[]): void {
    let steps = rest;
    const first = steps[0];
    if (declared.mode !== "single" && first !== undefined && !("index" in first)) {
      this.report(node.block, [], `${reference.text}: ${what} has ${declared.mode}, so name an instance (${what}[…].${"name" in first ? first.name : "…"})`);
      return;
    }
    if (declared.mode === "single" && first !== undefined && "index" in first) {
      this.report(node.block, [], `${reference.text}: ${what} has neither count nor for_each, so it takes no instance key`);
      return;
    }
    if (declared.mode !== "single") steps = steps.slice(1);
    let schema = declared.schema;
    for (const step of steps) {
      if (schema === undefined) return;
      if ("index" in step) continue;
      if (step.name in schema.attributes) return;
      const nested: BlockSchema | undefined = schema.blocks[step.name];
      if (nested === undefined) {
        this.report(
          node.block,
          [],
          `${reference.text}: ${what} has no attribute "${step.name}"${suggestion(step.name, [...Object.keys(schema.attributes), ...Object.keys(schema.blocks)])}`,
        );
        return;
      }
      schema = nested;
    }
  }

  private checkReference(node: GraphNode, reference: Reference): void {
    this.coverage.references += 1;
    const names = reference.steps.map((s) => ("name" in s ? s.name : undefined));
    const mode = node.block.kind === "resource" || node.block.kind === "data" || node.block.kind === "module" ? modeOf(node.block.body) : "single";
    const bad = (message: string): void => this.report(node.block, [], `${reference.text}: ${message}`);
    switch (reference.root) {
      case "var":
        if (!this.variables.has(names[0] ?? "")) bad(`no variable "${names[0]}"${suggestion(names[0] ?? "", this.variables)}`);
        return;
      case "local":
        if (!this.localNames.has(names[0] ?? "")) bad(`no local value "${names[0]}"${suggestion(names[0] ?? "", this.localNames)}`);
        return;
      case "each":
        if (mode !== "for_each" || !["key", "value"].includes(names[0] ?? "")) bad("each.key and each.value exist only in a block with for_each");
        return;
      case "count":
        if (mode !== "count" || names[0] !== "index") bad("count.index exists only in a block with count");
        return;
      case "path":
        if (!["module", "root", "cwd"].includes(names[0] ?? "")) bad("path has module, root and cwd");
        return;
      case "terraform":
        if (names[0] !== "workspace") bad("terraform has workspace");
        return;
      case "self":
        if (node.block.kind !== "resource") bad("self exists only in provisioner and connection blocks");
        return;
      case "module": {
        const call = this.calls.get(names[0] ?? "");
        if (call === undefined) bad(`no module call "${names[0]}"`);
        else if (call.called !== undefined) {
          const output = reference.steps.slice(1).find((s): s is { name: string } => "name" in s)?.name;
          if (output !== undefined && !call.called.outputs.has(output)) bad(`the module has no output "${output}"${suggestion(output, call.called.outputs)}`);
        }
        return;
      }
      case "data": {
        const id = `${names[0]}.${names[1]}`;
        const declared = this.dataSources.get(id);
        if (declared === undefined) bad(`no data source ${id} in this module`);
        else this.checkInstancePath(node, reference, `data.${id}`, declared, reference.steps.slice(2));
        return;
      }
      default: {
        const id = `${reference.root}.${names[0]}`;
        const declared = this.resources.get(id);
        if (declared === undefined) bad(/_/.test(reference.root) ? `no resource ${id} in this module` : `unknown name "${reference.root}"`);
        else this.checkInstancePath(node, reference, id, declared, reference.steps.slice(1));
      }
    }
  }

  async run(graph: readonly GraphNode[]): Promise<void> {
    await this.declare();
    for (const node of graph) for (const reference of node.references) this.checkReference(node, reference);
  }
}

export async function validateModule(
  module: TerraformModule,
  graph: readonly GraphNode[],
  options: ValidateOptions,
): Promise<{ readonly findings: Finding[]; readonly coverage: Coverage }> {
  const validator = new ModuleValidator(module, options);
  await validator.run(graph);
  return { findings: validator.findings, coverage: validator.coverage };
}

/** A module's interface as its caller sees it. */
export function calledModuleOf(module: TerraformModule): CalledModule {
  return {
    variables: new Map(blocksOf(module, "variable").map((b) => [b.labels[0] as string, { required: !("default" in b.body) }])),
    outputs: new Set(blocksOf(module, "output").map((b) => b.labels[0] as string)),
  };
}
