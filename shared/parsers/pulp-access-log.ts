import { atom, firstForwarded, INT32_MAX } from "./log-line.js";

/** The fields of one Pulp gunicorn access-log line; `-` atoms are null. */
export interface PulpAccessLine {
  readonly correlationId: string | null;
  readonly remoteAddr: string;
  readonly user: string | null;
  readonly orgId: string | null;
  readonly method: string;
  readonly path: string;
  readonly protocol: string;
  readonly statusCode: number;
  readonly responseBytes: number | null;
  readonly referer: string | null;
  readonly userAgent: string | null;
  readonly durationMs: number | null;
  /** The first address of X-Forwarded-For. */
  readonly xForwardedFor: string | null;
}

// pulp [%({correlation-id}o)s]: %(h)s %(l)s user:%({REMOTE_USER}e)s org_id:%({ORG_ID}e)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)s x_forwarded_for:"%({X_FORWARDED_FOR}e)s"
// The user agent is matched greedily up to the fixed tail: pip's user agent holds JSON with quotes.
const LINE =
  /^pulp \[([^\]]*)\]: (\S+) \S+ user:(\S*) org_id:(\S*) \[[^\]]+\] "([A-Z]+) (\S+) (HTTP\/[\d.]+)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "(.*)" (\d+|-) x_forwarded_for:"([^"]*)"$/;


/** null for `-`; undefined when the digits do not fit the column (`max`), so the line counts as malformed instead of failing the file. */
function count(value: string | undefined, max: number): number | null | undefined {
  if (value === undefined || value === "-") return null;
  const n = Number(value);
  return n <= max ? n : undefined;
}

export function parsePulpAccessLine(line: string): PulpAccessLine | undefined {
  const m = LINE.exec(line);
  if (m === null) return undefined;
  const responseBytes = count(m[9], Number.MAX_SAFE_INTEGER);
  const durationMs = count(m[12], INT32_MAX);
  if (responseBytes === undefined || durationMs === undefined) return undefined;
  const forwarded = atom(m[13]);
  return {
    correlationId: atom(m[1]),
    remoteAddr: m[2] ?? "",
    user: atom(m[3]),
    orgId: atom(m[4]),
    method: m[5] ?? "",
    path: m[6] ?? "",
    protocol: m[7] ?? "",
    statusCode: Number(m[8]),
    responseBytes,
    referer: atom(m[10]),
    userAgent: atom(m[11]),
    durationMs,
    xForwardedFor: firstForwarded(forwarded),
  };
}

/** `/api/pypi/{domain}/{distribution}/simple/{package}/`: the parts present in the path, null where absent. */
export function pypiCoordinates(path: string): { domain: string | null; distribution: string | null; package: string | null } {
  const clean = path.split("?")[0] ?? path;
  const m = /^\/api\/pypi\/([^/]+)\/([^/]+)(?:\/simple\/([^/]+))?/.exec(clean);
  return { domain: m?.[1] ?? null, distribution: m?.[2] ?? null, package: m?.[3] ?? null };
}
