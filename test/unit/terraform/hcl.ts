/**
 * Lookups in the Terraform modules as HCL's own parser reads them (scripts/terraform/hcl.ts): blocks
 * and attributes from the parsed JSON (a literal is its value, an expression `${…}`), and, where a
 * test needs the inside of an expression (merge's objects, a validation's regexes), the parser's
 * syntax tree rather than a pattern over the text.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getExpressionAst, type TFExpressionSyntaxTree } from "@cdktf/hcl2json";
import { moduleGraph } from "../../../scripts/terraform/graph.js";
import { referencesIn } from "../../../scripts/terraform/references.js";
import {
  blockBodies,
  blocksOf,
  isBody,
  loadModule,
  locals,
  type BlockKind,
  type HclBody,
  type HclValue,
  type TerraformModule,
} from "../../../scripts/terraform/hcl.js";

type Node = TFExpressionSyntaxTree.ExpressionType;

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export function loadTerraform(relative: string): Promise<TerraformModule> {
  return loadModule(join(ROOT, relative));
}

function only(module: TerraformModule, kind: BlockKind, labels: readonly string[]): HclBody {
  const found = blocksOf(module, kind).filter((b) => labels.every((l, i) => b.labels[i] === l));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${labels.join(".")}, found ${found.length}`);
  return found[0]?.body as HclBody;
}

export const resource = (module: TerraformModule, type: string, name: string): HclBody => only(module, "resource", [type, name]);
export const dataSource = (module: TerraformModule, type: string, name: string): HclBody => only(module, "data", [type, name]);
export const variable = (module: TerraformModule, name: string): HclBody => only(module, "variable", [name]);
export const moduleCall = (module: TerraformModule, name: string): HclBody => only(module, "module", [name]);

/** Resources of one type, by name. */
export function resourcesOfType(module: TerraformModule, type: string): Map<string, HclBody> {
  return new Map(
    blocksOf(module, "resource")
      .filter((b) => b.labels[0] === type)
      .map((b) => [b.labels[1] as string, b.body]),
  );
}

export function local(module: TerraformModule, name: string): HclValue {
  const found = locals(module).get(name);
  if (found === undefined) throw new Error(`no local.${name}`);
  return found.value;
}

/** The one nested block at the end of a path: blockBody(fn, "destination_config", "on_failure"). */
export function blockBody(body: HclBody, ...path: string[]): HclBody {
  return path.reduce((current, name) => {
    const bodies = blockBodies(current, name);
    if (bodies.length !== 1) throw new Error(`expected one ${name} block, found ${bodies.length}`);
    return bodies[0] as HclBody;
  }, body);
}

/** The contents of `dynamic "<name>"` blocks. */
export function dynamicContents(body: HclBody, name: string): HclBody[] {
  return isBody(body.dynamic) ? blockBodies(body.dynamic, name).flatMap((d) => blockBodies(d, "content")) : [];
}

async function ast(expression: HclValue): Promise<Node> {
  if (typeof expression !== "string" || !expression.startsWith("${") || !expression.endsWith("}"))
    throw new Error(`not an expression: ${JSON.stringify(expression)}`);
  const node = await getExpressionAst("test.tf", expression.slice(2, -1));
  if (node === null) throw new Error(`no syntax tree for ${expression}`);
  return node;
}

export interface ObjectLiteral {
  /** Keys (unquoted) and their values' source. */
  readonly entries: ReadonlyMap<string, string>;
  /** The condition of the conditional it is a branch of, if any. */
  readonly guard: string | undefined;
}

/** Every non-empty object constructor in an expression, in source order (merge's arguments, a list's objects). */
export async function objectLiterals(expression: HclValue): Promise<ObjectLiteral[]> {
  const found: ObjectLiteral[] = [];
  const walk = (node: Node, guard: string | undefined): void => {
    if (node.type === "object") {
      const entries = new Map(Object.entries(node.meta.items).map(([k, v]) => [k.replace(/^"(.*)"$/, "$1"), v.trim()]));
      if (entries.size > 0) found.push({ entries, guard });
      return;
    }
    if (node.type === "conditional") {
      const [, ...branches] = node.children;
      for (const branch of branches) walk(branch, node.meta.conditionExpression);
      return;
    }
    for (const child of node.children) walk(child, guard);
  };
  walk(await ast(expression), undefined);
  return found;
}

export interface RegexTest {
  readonly pattern: RegExp;
  /** Under `!`: the value must not match. */
  readonly negated: boolean;
}

/**
 * A validation condition made of `can(regex("…", var.x))` terms joined by `&&` (each maybe under
 * `!`), possibly after `var.x == null ||` or in `var.x == null ? true : …`, as tests JavaScript can
 * run; anything else throws.
 */
export async function regexTerms(condition: HclValue, variableName: string): Promise<RegexTest[]> {
  const subject = `var.${variableName}`;
  const terms: RegexTest[] = [];
  const walk = (node: Node, negated: boolean): void => {
    const [first, second] = node.children;
    if (node.type === "binaryOp" && node.meta.operator === "logicalAnd") for (const child of node.children) walk(child, negated);
    else if (node.type === "binaryOp" && node.meta.operator === "logicalOr" && first?.meta.value === `${subject} == null` && second !== undefined)
      walk(second, negated);
    else if (node.type === "conditional" && first?.meta.value === `${subject} == null` && second?.meta.value === "true" && node.children[2] !== undefined)
      walk(node.children[2], negated);
    else if (node.type === "unaryOp" && node.meta.operator === "logicalNot" && first !== undefined) walk(first, !negated);
    else if (node.type === "function" && node.meta.name === "can" && first?.type === "function" && first.meta.name === "regex") {
      const [pattern, applied] = first.children;
      if (applied?.meta.value !== subject || pattern === undefined) throw new Error(`regex(…) is not applied to ${subject}: ${node.meta.value}`);
      terms.push({ pattern: new RegExp(JSON.parse(pattern.meta.value) as string), negated });
    } else throw new Error(`not a can(regex(…)) term: ${node.meta.value}`);
  };
  walk(await ast(condition), false);
  return terms;
}

/** Variables an expression of `id` (e.g. `data.aws_iam_policy_document.function`) reaches, through local values. */
export async function variablesReaching(module: TerraformModule, id: string): Promise<string[]> {
  const references = new Map((await moduleGraph(module)).map((n) => [n.id, n.references]));
  const seen = new Set<string>();
  const todo = [id];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    for (const r of references.get(next) ?? []) {
      const [name] = r.steps;
      if ((r.root !== "var" && r.root !== "local") || name === undefined || !("name" in name)) continue;
      const target = `${r.root}.${name.name}`;
      if (!seen.has(target)) todo.push(target);
      seen.add(target);
    }
  }
  return [...seen]
    .filter((t) => t.startsWith("var."))
    .map((t) => t.slice("var.".length))
    .sort();
}

export function passes(terms: readonly RegexTest[], value: string): boolean {
  return terms.every((t) => t.pattern.test(value) !== t.negated);
}

/** Each validation block of a variable. */
export function validations(module: TerraformModule, name: string): { readonly condition: HclValue; readonly errorMessage: HclValue }[] {
  return blockBodies(variable(module, name), "validation").map((v) => ({ condition: v.condition ?? null, errorMessage: v.error_message ?? null }));
}

/** Every string in a parsed value, at any depth. */
export function strings(value: HclValue): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  return isBody(value) ? Object.values(value).flatMap(strings) : [];
}

/** The names of the variables the module's blocks reference (`var.<name>`), each once, sorted. */
export async function referencedVariables(module: TerraformModule): Promise<string[]> {
  const references = (await Promise.all(module.blocks.map((b) => referencesIn(b.body)))).flat();
  return [...new Set(references.flatMap((r) => (r.root === "var" && r.steps[0] !== undefined && "name" in r.steps[0] ? [r.steps[0].name] : [])))].sort();
}
