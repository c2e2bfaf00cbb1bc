/**
 * References (traversals such as `aws_sqs_queue.dead_letter.arn`, `var.x`, `local.y[0]`) in the
 * expressions of a parsed module, found with HCL's own expression parser, so names inside string
 * literals, function names, object keys and `for` variables are never taken for references.
 */
import { getExpressionAst, type TFExpressionSyntaxTree } from "@cdktf/hcl2json";
import { isBody, type HclValue } from "./hcl.js";

type Node = TFExpressionSyntaxTree.ExpressionType;

/** `[…]` (an index or a splat) or `.name`. */
export type Step = { readonly name: string } | { readonly index: true };

export interface Reference {
  readonly root: string;
  readonly steps: readonly Step[];
  /** As written, for messages. */
  readonly text: string;
}

/** `$${` and `%%{`: literal text, kept escaped by hcl.ts. */
function isEscape(text: string, i: number): boolean {
  return text.startsWith("$${", i) || text.startsWith("%%{", i);
}

function isInterpolation(text: string, i: number): boolean {
  return (text[i] === "$" || text[i] === "%") && text[i + 1] === "{";
}

function interpolationEnd(text: string, start: number): number {
  let depth = 1;
  let i = start;
  while (depth > 0) {
    if (i >= text.length) throw new Error(`unterminated interpolation in ${JSON.stringify(text)}`);
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i + 1);
      continue;
    }
    if (c === "{") depth += 1;
    if (c === "}") depth -= 1;
    i += 1;
  }
  return i;
}

function stringEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (isEscape(text, i)) i += 3;
    else if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else if (isInterpolation(text, i)) i = interpolationEnd(text, i + 2);
    else i += 1;
  }
  throw new Error(`unterminated string in ${JSON.stringify(text)}`);
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * The parser's JSON gives a template's literal text unescaped and its interpolations as source:
 * quote the literal parts again so HCL can read the whole. A lone interpolation is read bare.
 */
function expressionSource(text: string): string {
  if (text.startsWith("${") && interpolationEnd(text, 2) === text.length) return text.slice(2, -1);
  let out = '"';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (isEscape(text, i)) {
      out += text.slice(i, i + 3);
      i += 3;
    } else if (isInterpolation(text, i)) {
      const end = interpolationEnd(text, i + 2);
      out += text.slice(i, end);
      i = end;
    } else {
      out += ESCAPES[c] ?? c;
      i += 1;
    }
  }
  return `${out}"`;
}

function stepsOf(parts: readonly TFExpressionSyntaxTree.TerraformTraversalPart[]): Step[] {
  return parts.map((p) => (p.type === "nameTraversal" ? { name: p.segment } : { index: true }));
}

/** The traversal a node denotes (`a.b[0].c`, `a.b[*].c`), with the nodes inside it that are expressions of their own (index keys). */
function traversal(node: Node): { readonly steps: Step[]; readonly inner: Node[] } | undefined {
  switch (node.type) {
    case "scopeTraversal":
      return { steps: stepsOf(node.meta.traversal), inner: [] };
    case "index": {
      const [collection, key] = node.children;
      const base = collection === undefined ? undefined : traversal(collection);
      return base === undefined ? undefined : { steps: [...base.steps, { index: true }], inner: [...base.inner, ...(key === undefined ? [] : [key])] };
    }
    case "relativeTraversal": {
      const source = node.children[0];
      const base = source === undefined ? undefined : traversal(source);
      return base === undefined ? undefined : { steps: [...base.steps, ...stepsOf(node.meta.traversal)], inner: base.inner };
    }
    case "splat": {
      const [source, each] = node.children;
      const base = source === undefined ? undefined : traversal(source);
      const after = each?.type === "relativeTraversal" ? stepsOf(each.meta.traversal) : [];
      return base === undefined ? undefined : { steps: [...base.steps, { index: true }, ...after], inner: base.inner };
    }
    default:
      return undefined;
  }
}

function collect(node: Node, scope: ReadonlySet<string>, found: Reference[]): void {
  const chain = traversal(node);
  if (chain !== undefined) {
    const [first, ...rest] = chain.steps;
    if (first !== undefined && "name" in first && !scope.has(first.name)) found.push({ root: first.name, steps: rest, text: node.meta.value });
    for (const inner of chain.inner) collect(inner, scope, found);
    return;
  }
  const inner = node.type === "for" ? new Set([...scope, node.meta.keyVar, node.meta.valVar].filter((v) => v !== "")) : scope;
  for (const child of node.children) collect(child, inner, found);
}

/** The references in one value of the parsed JSON (a string, or the strings inside a list or object). */
export async function referencesIn(value: HclValue, scope: ReadonlySet<string> = new Set()): Promise<Reference[]> {
  if (typeof value === "string") {
    if (!/(^|[^$])\$\{|(^|[^%])%\{/.test(value)) return [];
    const source = expressionSource(value);
    const ast = await getExpressionAst("expression.tf", source);
    const found: Reference[] = [];
    if (ast !== null) collect(ast, scope, found);
    return found;
  }
  if (Array.isArray(value)) return (await Promise.all(value.map((v) => referencesIn(v, scope)))).flat();
  if (isBody(value)) return (await Promise.all(Object.values(value).map((v) => referencesIn(v, scope)))).flat();
  return [];
}

/** `aws_sqs_queue.dead_letter` from `aws_sqs_queue.dead_letter.arn`; data sources keep their `data.` prefix. */
export function referencedAddress(reference: Reference): string | undefined {
  const names = reference.steps.map((s) => ("name" in s ? s.name : undefined));
  if (reference.root === "data") return names[0] !== undefined && names[1] !== undefined ? `data.${names[0]}.${names[1]}` : undefined;
  if (["var", "local", "module", "each", "count", "self", "path", "terraform"].includes(reference.root)) return undefined;
  return names[0] === undefined ? undefined : `${reference.root}.${names[0]}`;
}
