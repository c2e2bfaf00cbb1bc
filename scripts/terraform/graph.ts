/**
 * What each declaration of a module refers to: one node per resource, data source, module call,
 * output, variable, provider block and local value, with the references in its expressions
 * (dynamic-block iterators are in scope in their content; a variable's type and the provider and
 * ignore_changes meta-arguments hold names, not references).
 */
import { blocksOf, isBody, locals, type HclBody, type HclValue, type TerraformModule, type TopBlock } from "./hcl.js";
import { referencesIn, type Reference } from "./references.js";

export interface GraphNode {
  /** `aws_s3_bucket.exports`, `data.aws_region.current`, `module.x`, `output.x`, `var.x`, `provider.x`, `local.x`. */
  readonly id: string;
  readonly file: string;
  readonly block: TopBlock;
  readonly references: readonly Reference[];
}

/** Keys whose values are names, not expressions. */
const NOT_EXPRESSIONS = new Set(["provider", "providers", "ignore_changes"]);

async function bodyReferences(body: HclBody, scope: ReadonlySet<string>): Promise<Reference[]> {
  const found: Reference[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (NOT_EXPRESSIONS.has(key)) continue;
    if (key === "dynamic" && isBody(value)) {
      for (const [label, dynamics] of Object.entries(value)) {
        for (const d of Array.isArray(dynamics) ? dynamics : []) found.push(...(await dynamicReferences(label, d, scope)));
      }
    } else {
      found.push(...(await valueReferences(value, scope)));
    }
  }
  return found;
}

async function dynamicReferences(label: string, dynamic: HclValue, scope: ReadonlySet<string>): Promise<Reference[]> {
  if (!isBody(dynamic)) return [];
  const iterator = typeof dynamic.iterator === "string" ? dynamic.iterator.replace(/^\$\{(.*)\}$/, "$1") : label;
  const { content, ...rest } = dynamic;
  const inner = new Set([...scope, iterator]);
  const contentBodies = Array.isArray(content) ? content.filter(isBody) : [];
  return [...(await bodyReferences(rest, scope)), ...(await Promise.all(contentBodies.map((c) => bodyReferences(c, inner)))).flat()];
}

/** Nested blocks are lists of bodies: walk them as bodies so their dynamic blocks keep their scope. */
async function valueReferences(value: HclValue, scope: ReadonlySet<string>): Promise<Reference[]> {
  if (Array.isArray(value) && value.length > 0 && value.every(isBody)) return (await Promise.all(value.map((b) => bodyReferences(b, scope)))).flat();
  return referencesIn(value, scope);
}

/** A variable's type constraint (`list(string)`) is not an expression. */
function expressions(block: TopBlock): HclBody {
  return block.kind === "variable" ? Object.fromEntries(Object.entries(block.body).filter(([key]) => key !== "type")) : block.body;
}

function nodeId(block: TopBlock): string {
  if (block.kind === "resource") return block.labels.join(".");
  if (block.kind === "data") return `data.${block.labels.join(".")}`;
  const prefix = { module: "module", output: "output", variable: "var", provider: "provider" } as const;
  return `${prefix[block.kind as keyof typeof prefix]}.${block.labels[0] ?? ""}`;
}

export async function moduleGraph(module: TerraformModule): Promise<GraphNode[]> {
  const declared = module.blocks.filter((b) => b.kind !== "terraform" && b.kind !== "locals");
  const nodes = await Promise.all(
    declared.map(
      async (block): Promise<GraphNode> => ({ id: nodeId(block), file: block.file, block, references: await bodyReferences(expressions(block), new Set()) }),
    ),
  );
  const localNodes = await Promise.all(
    [...locals(module)].map(async ([name, { value, file }]): Promise<GraphNode> => {
      const block = blocksOf(module, "locals").find((b) => b.file === file && name in b.body) as TopBlock;
      return { id: `local.${name}`, file, block, references: await referencesIn(value) };
    }),
  );
  return [...nodes, ...localNodes];
}
