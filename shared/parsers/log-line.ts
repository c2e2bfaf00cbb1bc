import type { LogRecord, TransformResult } from "../core/records.js";
import { envelopedLines, type EnvelopeShape } from "./envelope.js";

/** What the access-log formats share: atoms, the first forwarded address, and the steps every row transform takes first. */

export const INT32_MAX = 2_147_483_647;

/**
 * Django's request warnings mention request paths but are no access-log lines. The marker counts only
 * where Pulp's logging format puts a logger name (right after the `pulp [correlation id]: ` prefix), and
 * only on a line that is no access line: a client that writes it into a header it controls (User-Agent,
 * Referer, Correlation-ID) still gets its row.
 */
const DJANGO_WARNING = /^\s*pulp \[[^\]]*\]: django\.request:WARNING\b/;

/** `-` and empty atoms are null. */
export function atom(value: string | undefined): string | null {
  return value === undefined || value === "-" || value === "" ? null : value;
}

/** The first address of an X-Forwarded-For list (`a, b,c`): the client. */
export function firstForwarded(value: string | null): string | null {
  if (value === null) return null;
  return value.split(",")[0]?.trim() || null;
}

export interface ParsedRecord<T> {
  readonly kind: "parsed";
  readonly shape: EnvelopeShape;
  readonly line: string;
  readonly parsed: T;
}

/**
 * The steps every row transform takes first: find the line in the event (bare, or an envelope's
 * `message` or `log`, per event), parse the line, drop excluded request paths; a line that does not
 * parse is a Django warning (excluded) or malformed. Either the parsed line or what to count instead:
 * nothing is dropped on the server, so every line the export does not keep is counted by reason here.
 */
export function parseLogRecord<T extends { readonly path: string }>(
  record: LogRecord,
  parse: (line: string) => T | undefined,
  excludePaths: readonly string[],
): ParsedRecord<T> | TransformResult {
  const message = typeof record.message === "string" ? record.message : "";
  const candidates = envelopedLines(message);
  for (const { shape, line } of candidates) {
    const parsed = parse(line);
    if (parsed === undefined) continue;
    if (excludePaths.some((p) => parsed.path.startsWith(p))) return { kind: "excluded", reason: "excluded-path" };
    return { kind: "parsed", shape, line, parsed };
  }
  if (candidates.some((c) => DJANGO_WARNING.test(c.line))) return { kind: "excluded", reason: "django-warning" };
  return { kind: "malformed", sample: candidates[0]?.line ?? message };
}
