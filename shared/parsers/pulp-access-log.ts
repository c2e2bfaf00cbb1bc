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
const USER_AND_ORG = /^user:(.*) org_id:(\S*)$/;
/** What may follow the user agent's closing quote once the trailing fields are off, most specific first: `%(M)s` and an older quoted X-Forwarded-For, `%(M)s`, nothing. */
const AGENT_ENDS: readonly RegExp[] = [/^(.*)" (\d+|-) "([^"]*)"$/s, /^(.*)" (\d+|-)$/s, /^(.*)"$/s];

/** `( … )` around the whole line, as the deployed format writes it. */
function unwrapParentheses(line: string): string {
  return line.startsWith("(pulp [") && line.endsWith(")") ? line.slice(1, -1) : line;
}

/** `user:X org_id:Y`, or one remote-user atom of the older formats. */
function userAndOrg(text: string): { readonly user: string | null; readonly orgId: string | null } {
  const m = USER_AND_ORG.exec(text);
  return m === null ? { user: atom(text), orgId: null } : { user: atom(m[1]), orgId: atom(m[2]) };
}

export function parsePulpAccessLine(line: string): AccessLine | undefined {
  const text = unwrapParentheses(line);
  const head = HEAD.exec(text);
  if (head === null) return undefined;
  const { rest, fields } = splitTrailingFields(text.slice(head[0].length));
  const tail = AGENT_ENDS.reduce<RegExpExecArray | null>((found, end) => found ?? end.exec(rest), null);
  const status = statusCode(head[7]);
  const responseBytes = boundedCount(head[8], Number.MAX_SAFE_INTEGER);
  const durationMs = boundedCount(tail?.[2], INT32_MAX);
  if (tail === null || status === undefined || responseBytes === undefined || durationMs === undefined) return undefined;
  return {
    correlationId: atom(head[1]),
    remoteAddr: head[2] ?? null,
    ...userAndOrg(head[3] ?? ""),
    method: head[4] ?? "",
    path: head[5] ?? "",
    protocol: head[6] ?? null,
    statusCode: status,
    responseBytes,
    referer: atom(head[9]),
    userAgent: atom(tail[1]),
    durationMs,
    xForwardedFor: firstForwarded(atom(fields.get("x_forwarded_for") ?? tail[3])),
  };
}
