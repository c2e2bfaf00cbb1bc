import type { Sanitizer } from "../../shared/sanitize/index.js";

/**
 * What our sanitizer writes in place of a value: `[REDACTED:<rule>]` markers, keyed `pseu_<16 hex>` pseudonyms,
 * masked networks (`10.1.0.0/16`, `2001:db8::/48`) and masked text (`****-1111`). Sanitizing output again
 * leaves markers and masks as they are but pseudonymizes a pseudonym again; neither is a leftover.
 */
const OWN_OUTPUT = /\[REDACTED:[^\]\s]+\]|\bpseu_[0-9a-f]{16}\b|\b\d{1,3}\.\d{1,3}\.0\.0\/16\b|\b[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,2}::\/48\b|\*{4,}/g;
const OWN_PLACEHOLDER = "\u0000";

/** Whether the text holds something our sanitizer wrote. */
export function holdsOwnOutput(text: string): boolean {
  OWN_OUTPUT.lastIndex = 0;
  return OWN_OUTPUT.test(text);
}

/** Markers and pseudonyms replaced by one placeholder, so re-sanitized output compares equal to the output it came from. */
function withoutOwnOutput(text: string): string {
  return text.replace(OWN_OUTPUT, OWN_PLACEHOLDER);
}

function addedCounts(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): string[] {
  return Object.entries(after)
    .filter(([rule, count]) => count > (before[rule] ?? 0))
    .map(([rule]) => rule)
    .sort();
}

/**
 * The rules that would still change a text: none when sanitizing it again changes nothing but our own markers,
 * masks and pseudonyms (which the rules count again, and which are not leftovers).
 */
export function textLeftovers(sanitizer: Sanitizer, text: string): string[] {
  const before = sanitizer.counts();
  const again = sanitizer.sanitizeText(text);
  return again === text || withoutOwnOutput(again) === withoutOwnOutput(text) ? [] : addedCounts(before, sanitizer.counts());
}

/** The same for one JSON value at its key path (`[]` for an array item), so key-based rules judge it as in its record. */
export function valueLeftovers(sanitizer: Sanitizer, value: string | number, segments: readonly string[]): string[] {
  let nested: unknown = value;
  for (let i = segments.length - 1; i >= 0; i -= 1) nested = segments[i] === "[]" ? [nested] : { [segments[i] ?? ""]: nested };
  const before = sanitizer.counts();
  let again: unknown = sanitizer.sanitize(nested as Record<string, unknown>);
  for (const segment of segments) again = segment === "[]" ? (again as unknown[] | undefined)?.[0] : (again as Record<string, unknown> | undefined)?.[segment];
  if (again === value || (again !== undefined && again !== null && withoutOwnOutput(String(again)) === withoutOwnOutput(String(value)))) return [];
  const rules = addedCounts(before, sanitizer.counts());
  // A field rule (drop, redact) that counts nothing still changed the value: name the key path.
  return rules.length > 0 ? rules : [`field ${segments.join(".")}`];
}
