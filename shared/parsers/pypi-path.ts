/** Where a pulp_python request points: `/api/pypi/{domain}/{distribution…}/{endpoint}/…`. */
export interface PypiCoordinates {
  readonly domain: string | null;
  /** May hold slashes (`rhoai/3.4/cuda12.4-ubi9`): everything between the domain and the endpoint. */
  readonly distribution: string | null;
  /** The package of a simple-index page (`…/simple/{package}/`). */
  readonly package: string | null;
}

const PREFIX = "/api/pypi/";
/** The first segment of pulp_python's own routes after a distribution's base path. */
const ENDPOINTS: ReadonlySet<string> = new Set(["simple", "legacy", "pypi", "integrity"]);

/** The parts present in the path, null where absent; the query string is ignored. */
export function pypiCoordinates(target: string): PypiCoordinates {
  const path = target.split("?")[0] ?? target;
  if (!path.startsWith(PREFIX)) return { domain: null, distribution: null, package: null };
  const [domain = "", ...rest] = path.slice(PREFIX.length).split("/");
  const endpoint = rest.findIndex((segment, i) => i > 0 && ENDPOINTS.has(segment));
  const base = (endpoint < 0 ? rest : rest.slice(0, endpoint)).filter((segment) => segment !== "");
  const pkg = endpoint >= 0 && rest[endpoint] === "simple" ? rest[endpoint + 1] : undefined;
  return {
    domain: domain === "" ? null : domain,
    distribution: base.length === 0 ? null : base.join("/"),
    package: pkg === undefined || pkg === "" ? null : pkg,
  };
}
