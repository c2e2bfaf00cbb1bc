/** Where a content-app request points: `/api/pulp-content/<domain>/<distribution…>/<filename>`. */
export interface ContentPath {
  readonly domain: string;
  /** The path between the domain and the file, with repository structure (`Packages/<letter>/`, `repodata/`) removed. */
  readonly distribution: string;
  /** Every segment between the domain and the file, structure included (what the content type's grammar reads). */
  readonly directories: readonly string[];
  readonly filename: string;
  /** The request path as logged, without its query string (what upstream writes). */
  readonly artifactPath: string;
}

/** Repository layout inside a distribution, not part of its name: RPM `Packages/` (with its optional one-letter folder) and `repodata/`. */
function withoutStructure(directories: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < directories.length; i += 1) {
    const segment = directories[i] ?? "";
    if (segment === "Packages" && (directories[i + 1] ?? "").length === 1) i += 1;
    else if (segment !== "Packages" && segment !== "repodata") kept.push(segment);
  }
  return kept;
}

/** `prefix` is the content app's path prefix (`/api/pulp-content/`); undefined when the path is not under it or names no file. */
export function parseContentPath(path: string, prefix: string): ContentPath | undefined {
  const clean = path.split("?")[0] ?? path;
  if (!clean.startsWith(prefix)) return undefined;
  const segments = clean.slice(prefix.length).split("/");
  const domain = segments[0] ?? "";
  const filename = segments.at(-1) ?? "";
  if (segments.length < 3 || domain === "" || filename === "") return undefined;
  const directories = segments.slice(1, -1);
  if (directories.some((d) => d === "")) return undefined;
  return {
    domain,
    distribution: withoutStructure(directories).join("/"),
    directories,
    filename,
    artifactPath: clean,
  };
}
