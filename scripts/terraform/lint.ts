/**
 * tflint-style rules that need no plugin: declarations nothing uses (variables, locals, data
 * sources), and resources created before the permissions they are checked against exist.
 */
import { join } from "node:path";
import type { GraphNode } from "./graph.js";
import { address, type TerraformModule } from "./hcl.js";
import { referencedAddress, referencesIn } from "./references.js";
import type { Finding } from "./validate.js";

/** Resource types that grant a principal permissions, and the argument that names the principal. */
const GRANTS: Readonly<Record<string, string>> = {
  aws_iam_role_policy: "role",
  aws_iam_role_policy_attachment: "role",
  azurerm_role_assignment: "principal_id",
};

/** Resource types whose creation checks (or at once exercises) the permissions of a principal they reach. */
const PERMISSIONS_FIRST: Readonly<Record<string, string>> = {
  aws_lambda_function_event_invoke_config: "Lambda checks that the function's role may use each destination when the configuration is saved",
  azurerm_function_app_flex_consumption: "the host starts at once and reaches storage, its package, telemetry and Key Vault with the identity",
};

function referencedIds(node: GraphNode): string[] {
  return node.references.flatMap((r) => {
    if (r.root === "var" || r.root === "local") {
      const name = r.steps[0];
      return name !== undefined && "name" in name ? [`${r.root}.${name.name}`] : [];
    }
    if (r.root === "module") {
      const name = r.steps[0];
      return name !== undefined && "name" in name ? [`module.${name.name}`] : [];
    }
    return referencedAddress(r) ?? [];
  });
}

function unused(module: TerraformModule, graph: readonly GraphNode[], byId: ReadonlyMap<string, readonly string[]>): Finding[] {
  const used = new Set<string>();
  for (const node of graph) for (const id of byId.get(node.id) ?? []) if (id !== node.id) used.add(id);
  return graph
    .filter((n) => (n.id.startsWith("var.") || n.id.startsWith("local.") || n.id.startsWith("data.")) && !used.has(n.id))
    .map((n) => ({ file: join(module.dir, n.file), at: n.id.startsWith("local.") ? n.id : address(n.block), message: `${n.id} is declared but never used` }));
}

function reach(start: string, byId: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const todo = [...(byId.get(start) ?? [])];
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...(byId.get(id) ?? []));
  }
  return seen;
}

async function permissionsFirst(module: TerraformModule, graph: readonly GraphNode[], byId: ReadonlyMap<string, readonly string[]>): Promise<Finding[]> {
  const grants = await Promise.all(
    graph.flatMap((n) => {
      const argument = n.block.kind === "resource" ? GRANTS[n.block.labels[0] as string] : undefined;
      if (argument === undefined) return [];
      return [referencesIn(n.block.body[argument] ?? null).then((refs) => ({ id: n.id, principals: refs.flatMap((r) => referencedAddress(r) ?? []) }))];
    }),
  );
  return graph.flatMap((n) => {
    const why = n.block.kind === "resource" ? PERMISSIONS_FIRST[n.block.labels[0] as string] : undefined;
    if (why === undefined) return [];
    const reached = reach(n.id, byId);
    const missing = grants.filter((g) => g.principals.some((p) => reached.has(p)) && !reached.has(g.id)).map((g) => g.id);
    return missing.length === 0
      ? []
      : [{ file: join(module.dir, n.file), at: address(n.block), message: `${why}: add ${missing.join(", ")} to its depends_on` }];
  });
}

export async function lintModule(module: TerraformModule, graph: readonly GraphNode[]): Promise<Finding[]> {
  const byId = new Map(graph.map((n) => [n.id, referencedIds(n)]));
  return [...unused(module, graph, byId), ...(await permissionsFirst(module, graph, byId))];
}
