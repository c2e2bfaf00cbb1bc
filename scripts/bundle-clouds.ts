import type { Metafile } from "esbuild";

/** Package scopes that belong to one cloud: a bundle of the other cloud must not contain any of them. */
export const CLOUD_PACKAGES = {
  azure: ["@azure/", "@azure-rest/", "@azure/msal-node", "@typespec/ts-http-runtime"],
  aws: ["@aws-sdk/", "@smithy/", "@aws-crypto/"],
} as const;

export type Cloud = keyof typeof CLOUD_PACKAGES;

/** The packages of `cloud` among a metafile's inputs (`node_modules/<scope>/<name>/…`), each once, sorted. */
export function packagesOf(metafile: Metafile, cloud: Cloud): string[] {
  const found = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    const name = match?.[1];
    if (name !== undefined && CLOUD_PACKAGES[cloud].some((prefix) => `${name}/`.startsWith(prefix))) found.add(name);
  }
  return [...found].sort();
}

/** Throws naming every package of the other cloud a bundle carries (and one module that imports each, to find the path). */
export function assertOnlyCloud(metafile: Metafile, bundle: string, other: Cloud): void {
  const strays = packagesOf(metafile, other);
  if (strays.length === 0) return;
  const importers = strays.map((name) => {
    const importer = Object.entries(metafile.inputs).find(
      ([path, input]) => !path.includes(`node_modules/${name}/`) && input.imports.some((i) => i.path.includes(`node_modules/${name}/`)),
    );
    return `${name}${importer === undefined ? "" : ` (imported by ${importer[0]})`}`;
  });
  throw new Error(`the ${bundle} bundle contains ${other === "azure" ? "Azure" : "AWS"} packages it must not carry:\n  ${importers.join("\n  ")}`);
}
