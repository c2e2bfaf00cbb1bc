/** The Terraform check over directories: validate (schema and references) and lint, with what was covered. */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { moduleGraph } from "./graph.js";
import { blocksOf, loadModule, type TerraformModule } from "./hcl.js";
import { lintModule } from "./lint.js";
import { loadSchemas, type ProviderSchema } from "./schema.js";
import { calledModuleOf, validateModule, type CalledModule, type Coverage, type Finding } from "./validate.js";

export interface TerraformCheck {
  readonly findings: readonly Finding[];
  readonly coverage: Coverage & { readonly modules: number; readonly types: number };
  readonly schemas: readonly ProviderSchema[];
}

/** Every module and example under terraform/. */
export function terraformDirs(root = "terraform"): string[] {
  return ["modules", "examples"].flatMap((kind) =>
    readdirSync(join(root, kind))
      .sort()
      .map((d) => join(root, kind, d)),
  );
}

export async function checkTerraform(dirs: readonly string[], schemaDir: string): Promise<TerraformCheck> {
  const schemas = loadSchemas(schemaDir);
  const called = new Map<string, Promise<CalledModule>>();
  const findings: Finding[] = [];
  const coverage = { blocks: 0, arguments: 0, references: 0, modules: 0, types: 0 };
  const types = new Set<string>();
  for (const dir of dirs) {
    const module: TerraformModule = await loadModule(dir);
    const graph = await moduleGraph(module);
    const calledModule = (source: string): Promise<CalledModule | undefined> => {
      if (!source.startsWith("./") && !source.startsWith("../")) return Promise.resolve(undefined);
      const path = resolve(dir, source);
      if (!called.has(path)) called.set(path, loadModule(path).then(calledModuleOf));
      return called.get(path) as Promise<CalledModule>;
    };
    const validated = await validateModule(module, graph, { schemas, calledModule });
    findings.push(...validated.findings, ...(await lintModule(module, graph)));
    coverage.blocks += validated.coverage.blocks;
    coverage.arguments += validated.coverage.arguments;
    coverage.references += validated.coverage.references;
    coverage.modules += 1;
    for (const b of [...blocksOf(module, "resource"), ...blocksOf(module, "data")]) types.add(`${b.kind} ${b.labels[0]}`);
  }
  return { findings, coverage: { ...coverage, types: types.size }, schemas: [...schemas.values()] };
}
