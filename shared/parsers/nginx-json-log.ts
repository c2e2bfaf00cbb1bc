import { boundedCount, secondsToMilliseconds, statusCode, type AccessLine } from "./access-line.js";
import { atom, firstForwarded } from "./log-line.js";

/**
 * nginx's `log_format … escape=json '{…}'`: one JSON object per line, with nginx's variable names as
 * keys (the names the nginx docs and most published templates use; the aliases below are the common
 * variants). Values are strings (nginx quotes them) or numbers; `-` and "" are null. The request comes
 * from `request` ("GET /path HTTP/1.1") or from `request_method` with `request_uri` (or `uri`).
 */
const KEYS = {
  remoteAddr: ["remote_addr", "client_ip", "remote_ip"],
  user: ["remote_user"],
  request: ["request"],
  method: ["request_method", "method"],
  uri: ["request_uri", "uri"],
  protocol: ["server_protocol", "protocol"],
  status: ["status"],
  bytes: ["body_bytes_sent", "bytes_sent"],
  referer: ["http_referer", "http_referrer", "referer"],
  userAgent: ["http_user_agent", "user_agent"],
  forwarded: ["http_x_forwarded_for", "x_forwarded_for"],
  requestTime: ["request_time"],
  requestId: ["request_id"],
} as const satisfies Record<string, readonly string[]>;

const REQUEST = /^([A-Z]+) (\S+)(?: (HTTP\/[\d.]+))?$/;

function object(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The first of the keys present, as text; null when absent, `-` or "". */
function text(fields: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = fields[key];
    if (typeof value === "string") return atom(value);
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
  }
  return null;
}

function requestOf(fields: Record<string, unknown>): { readonly method: string; readonly path: string; readonly protocol: string | null } | undefined {
  const method = text(fields, KEYS.method);
  const uri = text(fields, KEYS.uri);
  if (method !== null && uri !== null) return { method, path: uri, protocol: text(fields, KEYS.protocol) };
  const m = REQUEST.exec(text(fields, KEYS.request) ?? "");
  return m === null ? undefined : { method: m[1] ?? "", path: m[2] ?? "", protocol: m[3] ?? null };
}

export function parseNginxJsonLine(line: string): AccessLine | undefined {
  const fields = object(line);
  if (fields === undefined) return undefined;
  const request = requestOf(fields);
  const status = statusCode(text(fields, KEYS.status) ?? undefined);
  const responseBytes = boundedCount(text(fields, KEYS.bytes) ?? undefined, Number.MAX_SAFE_INTEGER);
  const seconds = text(fields, KEYS.requestTime);
  const durationMs = seconds === null ? null : secondsToMilliseconds(seconds);
  if (request === undefined || status === undefined || responseBytes === undefined || durationMs === undefined) return undefined;
  return {
    correlationId: text(fields, KEYS.requestId),
    remoteAddr: text(fields, KEYS.remoteAddr),
    user: text(fields, KEYS.user),
    orgId: null,
    ...request,
    statusCode: status,
    responseBytes,
    referer: text(fields, KEYS.referer),
    userAgent: text(fields, KEYS.userAgent),
    durationMs,
    xForwardedFor: firstForwarded(text(fields, KEYS.forwarded)),
  };
}
