import type { LogRecord, TransformResult } from "../core/records.js";

/** What the Pulp access-log formats share: atoms, the first forwarded address, the envelope, and the lines no export keeps. */

export const INT32_MAX = 2_147_483_647;

/** Django's request warnings mention request paths but are no access-log lines. */
export const DJANGO_WARNING = "django.request:WARNING";

/** `-` and empty atoms are null. */
export function atom(value: string | undefined): string | null {
  return value === undefined || value === "-" || value === "" ? null : value;
}

/** The first address of an X-Forwarded-For list (`a, b,c`): the client. */
export function firstForwarded(value: string | null): string | null {
  if (value === null) return null;
  return value.split(",")[0]?.trim() || null;
}

/** The application line of a CloudWatch message: the `log` field of a container-log JSON envelope, or the message itself. */
export function unwrapEnvelope(message: string): string | undefined {
  if (!message.startsWith("{")) return message.trimEnd();
  try {
    const parsed: unknown = JSON.parse(message);
    const log = typeof parsed === "object" && parsed !== null ? (parsed as { log?: unknown }).log : undefined;
    return typeof log === "string" ? log.trimEnd() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The steps every row transform takes first: unwrap the envelope (malformed if it is broken), drop
 * Django warnings, parse the line (malformed if it does not), drop excluded request paths. Either the
 * parsed line or what to count instead.
 */
export function parseLogRecord<T extends { readonly path: string }>(
  record: LogRecord,
  parse: (line: string) => T | undefined,
  excludePaths: readonly string[],
): { readonly kind: "parsed"; readonly line: string; readonly parsed: T } | TransformResult {
  const message = typeof record.message === "string" ? record.message : "";
  const line = unwrapEnvelope(message);
  if (line === undefined) return { kind: "malformed", sample: message };
  if (line.includes(DJANGO_WARNING)) return { kind: "excluded", reason: "django-warning" };
  const parsed = parse(line);
  if (parsed === undefined) return { kind: "malformed", sample: line };
  if (excludePaths.some((p) => parsed.path.startsWith(p))) return { kind: "excluded", reason: "excluded-path" };
  return { kind: "parsed", line, parsed };
}
