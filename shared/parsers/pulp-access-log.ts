import { boundedCount, statusCode, type AccessLine } from "./access-line.js";
import { atom, firstForwarded, INT32_MAX } from "./log-line.js";
import { splitTrailingFields } from "./trailing-fields.js";

/**
 * Every gunicorn access-log format Pulp's API has deployed (pulp/pulp-service `deploy/clowdapp.yaml` and
 * `images/assets/pulp-api`, 2024–2026), newest first:
 *
 *   (pulp [%({correlation-id}o)s]: %(h)s %(l)s user:%({REMOTE_USER}e)s org_id:%({ORG_ID}e)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)s x_forwarded_for:"%({X_FORWARDED_FOR}e)s")
 *   pulp [%({correlation-id}o)s]: %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" x_forwarded_for:"%({X_FORWARDED_FOR}e)s"
 *   (… %(h)s %(l)s user:… org_id:… %(t)s … "%(a)s" %(M)s "%({X-Forwarded-For}i)s")
 *   (… %(h)s %(l)s %({REMOTE_USER}e)s %(t)s … "%(a)s" %(M)s)   and   (… %(u)s … %(M)s)
 *   pulp [%({correlation-id}o)s]: %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"
 *
 * The user may be an x509 DN with spaces (`/O=Red Hat/OU=Pulp/CN=svc`); the user agent may hold quotes
 * (pip's holds JSON), so the head is matched up to the user agent's opening quote and the tail is read
 * from the right; ` key:"value"` fields after x_forwarded_for are tolerated.
 */
const HEAD =
  /^pulp \[([^\]]*)\]: (\S+) \S+ (.*?) \[\d\d\/[A-Za-z]{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "([A-Z]+) (\S+) (HTTP\/[\d.]+)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "/;
/** The format deployed now, in one expression: most lines take this path, the others the general one. */
const DEPLOYED =
  /^pulp \[([^\]]*)\]: (\S+) \S+ user:(.*?) org_id:(\S*) \[\d\d\/[A-Za-z]{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "([A-Z]+) (\S+) (HTTP\/[\d.]+)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "(.*)" (\d+|-) x_forwarded_for:"([^"]*)"$/;
const USER_AND_ORG = /^user:(.*) org_id:(\S*)$/;
/**
 * What may follow the user agent's closing quote once the trailing fields are off: `%(M)s` (the deployed
 * format), `%(M)s` and an older quoted X-Forwarded-For (before the bare closing quote, which would take it
 * into the user agent), nothing.
 */
const AGENT_ENDS: readonly RegExp[] = [/^(.*)" (\d+|-)$/s, /^(.*)" (\d+|-) "([^"]*)"$/s, /^(.*)"$/s];

/** A line's atoms as logged, before `-` and numbers are read. */
interface Atoms {
  readonly correlationId: string;
  readonly remoteAddr: string;
  readonly user: string | null;
  readonly orgId: string | null;
  readonly method: string;
  readonly path: string;
  readonly protocol: string;
  readonly status: string;
  readonly bytes: string;
  readonly referer: string;
  readonly agent: string;
  readonly duration: string | undefined;
  readonly forwarded: string | undefined;
}

/** `( … )` around the whole line, as the deployed format writes it. */
function unwrapParentheses(line: string): string {
  return line.startsWith("(pulp [") && line.endsWith(")") ? line.slice(1, -1) : line;
}

/** `user:X org_id:Y`, or one remote-user atom of the older formats. */
function userAndOrg(text: string): { readonly user: string | null; readonly orgId: string | null } {
  const m = USER_AND_ORG.exec(text);
  return m === null ? { user: atom(text), orgId: null } : { user: atom(m[1]), orgId: atom(m[2]) };
}

function deployedAtoms(text: string): Atoms | undefined {
  const m = DEPLOYED.exec(text);
  if (m === null) return undefined;
  const [
    ,
    correlationId = "",
    remoteAddr = "",
    user,
    orgId,
    method = "",
    path = "",
    protocol = "",
    status = "",
    bytes = "",
    referer = "",
    agent = "",
    duration,
    forwarded,
  ] = m;
  return { correlationId, remoteAddr, user: atom(user), orgId: atom(orgId), method, path, protocol, status, bytes, referer, agent, duration, forwarded };
}

/** Any of the formats: the head up to the user agent's opening quote, the trailing fields from the right, then what closes the user agent. */
function generalAtoms(text: string): Atoms | undefined {
  const head = HEAD.exec(text);
  if (head === null) return undefined;
  const { rest, fields } = splitTrailingFields(text.slice(head[0].length));
  const tail = AGENT_ENDS.reduce<RegExpExecArray | null>((found, end) => found ?? end.exec(rest), null);
  if (tail === null) return undefined;
  const [, correlationId = "", remoteAddr = "", users = "", method = "", path = "", protocol = "", status = "", bytes = "", referer = ""] = head;
  return {
    correlationId,
    remoteAddr,
    ...userAndOrg(users),
    method,
    path,
    protocol,
    status,
    bytes,
    referer,
    agent: tail[1] ?? "",
    duration: tail[2],
    forwarded: fields.get("x_forwarded_for") ?? tail[3],
  };
}

export function parsePulpAccessLine(line: string): AccessLine | undefined {
  const text = unwrapParentheses(line);
  const a = deployedAtoms(text) ?? generalAtoms(text);
  if (a === undefined) return undefined;
  const status = statusCode(a.status);
  const responseBytes = boundedCount(a.bytes, Number.MAX_SAFE_INTEGER);
  const durationMs = boundedCount(a.duration, INT32_MAX);
  if (status === undefined || responseBytes === undefined || durationMs === undefined) return undefined;
  return {
    correlationId: atom(a.correlationId),
    remoteAddr: a.remoteAddr,
    user: a.user,
    orgId: a.orgId,
    method: a.method,
    path: a.path,
    protocol: a.protocol,
    statusCode: status,
    responseBytes,
    referer: atom(a.referer),
    userAgent: atom(a.agent),
    durationMs,
    xForwardedFor: firstForwarded(atom(a.forwarded)),
  };
}
