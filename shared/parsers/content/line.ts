import { boundedCount, secondsToMilliseconds, statusCode } from "../access-line.js";
import { atom } from "../log-line.js";
import { splitTrailingFields } from "../trailing-fields.js";

/** The fields of one Pulp content-app access-log line; `-` atoms are null. */
export interface ContentAccessLine {
  readonly correlationId: string | null;
  readonly remoteAddr: string;
  readonly method: string;
  readonly path: string;
  readonly statusCode: number;
  readonly responseBytes: number | null;
  readonly userAgent: string | null;
  /** `cache:"HIT"` → true, `"MISS"` → false, anything else (`-`, absent) → null. */
  readonly cacheHit: boolean | null;
  readonly artifactSize: number | null;
  readonly orgId: string | null;
  /** The whole X-Forwarded-For chain as logged (upstream's content exports keep it). */
  readonly xForwardedFor: string | null;
  /** `request_time` (seconds in the log) in whole milliseconds; null when absent. */
  readonly requestTimeMs: number | null;
}

// The aiohttp format pulp/pulp-service deploys (deploy/clowdapp.yaml, pulpcore-content):
//   %a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i" cache:"…" artifact_size:"…" rh_org_id:"…" x_forwarded_for:"…" request_time:"%Tf"
// An optional `pulp [correlation-id]: ` prefix. The head is matched up to the user agent's opening quote;
// the ` key:"value"` fields are read from the right, in any order, and fields a later format adds are ignored.
const HEAD = /^(?:pulp \[([^\]]*)\]: )?(\S+) \[[^\]]+\] "([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) (\d+|-) "(?:[^"\\]|\\.)*" "/;

function cacheFlag(value: string | undefined): boolean | null {
  const upper = value?.toUpperCase();
  return upper === "HIT" ? true : upper === "MISS" ? false : null;
}

/** null when absent or `-`; undefined when present but not a number (the line does not parse, rather than a guessed value). */
function optionalMilliseconds(value: string | undefined): number | null | undefined {
  const text = atom(value);
  return text === null ? null : secondsToMilliseconds(text);
}

export function parseContentAccessLine(line: string): ContentAccessLine | undefined {
  const head = HEAD.exec(line);
  if (head === null) return undefined;
  const { rest, fields } = splitTrailingFields(line.slice(head[0].length));
  if (fields.size === 0 || !rest.endsWith('"')) return undefined;
  const status = statusCode(head[5]);
  const responseBytes = boundedCount(head[6], Number.MAX_SAFE_INTEGER);
  const artifactSize = boundedCount(fields.get("artifact_size"), Number.MAX_SAFE_INTEGER);
  const requestTimeMs = optionalMilliseconds(fields.get("request_time"));
  if (status === undefined || responseBytes === undefined || artifactSize === undefined || requestTimeMs === undefined) return undefined;
  return {
    correlationId: atom(head[1]),
    remoteAddr: head[2] ?? "",
    method: head[3] ?? "",
    path: head[4] ?? "",
    statusCode: status,
    responseBytes,
    userAgent: atom(rest.slice(0, -1)),
    cacheHit: cacheFlag(fields.get("cache")),
    artifactSize,
    orgId: atom(fields.get("rh_org_id")),
    xForwardedFor: atom(fields.get("x_forwarded_for")),
    requestTimeMs,
  };
}
