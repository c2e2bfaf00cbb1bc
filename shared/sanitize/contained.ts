import { redactionMarker } from "./catalog.js";
import { DROP } from "./field-actions.js";
import { parseJsonExact, setOwn, stringifyJson } from "./json-exact.js";
import type { RuleCounts } from "./rule-counts.js";

/**
 * What keeps one bad value from failing a window: when sanitizing a record or line throws (a value nested
 * past what JSON.stringify can write, a bug), each top-level field is sanitized on its own and a field that
 * throws, or whose result cannot be written as JSON, becomes a marker, counted under sanitizer_failures.
 */

export const SANITIZER_FAILURES = "sanitizer_failures";
export const SANITIZER_FAILURE_MARKER = redactionMarker("sanitizer-failure");

/** One top-level field sanitized as the whole-record walk would; DROP when a field rule drops it. May throw. */
export type FieldSanitizer = (key: string, value: unknown) => unknown;

interface Contained {
  readonly value: Record<string, unknown>;
  readonly json: string;
}

function containedField(key: string, value: unknown, sanitizeField: FieldSanitizer, counts: RuleCounts): { value: unknown; json: string } | typeof DROP {
  const mark = counts.mark();
  try {
    const result = sanitizeField(key, value);
    if (result === DROP) return DROP;
    return { value: result, json: result === undefined ? "null" : stringifyJson(result) };
  } catch {
    counts.rewind(mark);
    counts.add(SANITIZER_FAILURES);
    return { value: SANITIZER_FAILURE_MARKER, json: JSON.stringify(SANITIZER_FAILURE_MARKER) };
  }
}

/** The record field by field; its JSON text is built from each field's own, so no field can fail the others. */
export function containedObject(record: Readonly<Record<string, unknown>>, sanitizeField: FieldSanitizer, counts: RuleCounts): Contained {
  const value: Record<string, unknown> = {};
  const members: string[] = [];
  for (const key in record) {
    const field = containedField(key, record[key], sanitizeField, counts);
    if (field === DROP) continue;
    setOwn(value, key, field.value);
    members.push(`${JSON.stringify(key)}:${field.json}`);
  }
  return { value, json: `{${members.join(",")}}` };
}

/** A JSON object line field by field; undefined for a line that is no JSON object (the caller treats it as text). */
export function containedLine(line: string, sanitizeField: FieldSanitizer, counts: RuleCounts): string | undefined {
  let parsed: unknown;
  try {
    parsed = parseJsonExact(line);
  } catch {
    try {
      parsed = JSON.parse(line);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  return containedObject(parsed as Record<string, unknown>, sanitizeField, counts).json;
}
