import { atom, firstForwarded, INT32_MAX } from "../log-line.js";

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
  /** The first address of X-Forwarded-For. */
  readonly xForwardedFor: string | null;
  /** `request_time` (seconds in the log) in whole milliseconds, rounded; null when absent. */
  readonly requestTimeMs: number | null;
}

// %(h)s [%(t)s] "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" cache:"…" artifact_size:"…" rh_org_id:"…" x_forwarded_for:"…" [request_time:"…"]
// An optional `pulp [correlation-id]: ` prefix; the user agent is matched greedily up to the fixed tail (pip's holds JSON with quotes).
const LINE =
  /^(?:pulp \[([^\]]*)\]: )?(\S+) \[[^\]]+\] "([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) (\d+|-) "(?:[^"\\]|\\.)*" "(.*)" cache:"([^"]*)" artifact_size:"([^"]*)" rh_org_id:"([^"]*)" x_forwarded_for:"([^"]*)"(?: request_time:"([^"]*)")?$/;

const INTEGER = /^\d+$/;
const SECONDS = /^\d+(?:\.\d+)?$/;

function cacheFlag(value: string | undefined): boolean | null {
  const upper = value?.toUpperCase();
  return upper === "HIT" ? true : upper === "MISS" ? false : null;
}

/** undefined when present but not a number: the line does not parse, rather than a guessed value. */
function optionalInteger(value: string | undefined): number | null | undefined {
  const text = atom(value);
  if (text === null) return null;
  if (!INTEGER.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Seconds as logged (`0.003200`) → whole milliseconds, rounded half up on the decimal digits (no binary float error). */
function optionalMilliseconds(value: string | undefined): number | null | undefined {
  const text = atom(value);
  if (text === null) return null;
  if (!SECONDS.test(text)) return undefined;
  const [whole = "0", fraction = ""] = text.split(".");
  const micros = Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0").slice(0, 6));
  const ms = Math.round(micros / 1000);
  return Number.isSafeInteger(micros) && ms <= INT32_MAX ? ms : undefined;
}

export function parseContentAccessLine(line: string): ContentAccessLine | undefined {
  const m = LINE.exec(line);
  if (m === null) return undefined;
  const artifactSize = optionalInteger(m[9]);
  const requestTimeMs = optionalMilliseconds(m[12]);
  const responseBytes = optionalInteger(m[6]);
  if (artifactSize === undefined || requestTimeMs === undefined || responseBytes === undefined) return undefined;
  return {
    correlationId: atom(m[1]),
    remoteAddr: m[2] ?? "",
    method: m[3] ?? "",
    path: m[4] ?? "",
    statusCode: Number(m[5]),
    responseBytes,
    userAgent: atom(m[7]),
    cacheHit: cacheFlag(m[8]),
    artifactSize,
    orgId: atom(m[10]),
    xForwardedFor: firstForwarded(atom(m[11])),
    requestTimeMs,
  };
}
