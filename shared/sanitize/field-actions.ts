import { redactionMarker } from "./catalog.js";
import { setOwn } from "./json-exact.js";
import type { CompiledFieldRule } from "./key-nodes.js";
import { maskText } from "./mask.js";

/** Returned by a field rule that drops its key. */
export const DROP = Symbol("drop");

/** A field rule's result for one value, or DROP; the same value when the rule leaves it (null, booleans under mask). */
export function applyFieldRule(rule: CompiledFieldRule, value: unknown, pseudonym: (text: string) => string): unknown {
  if (rule.action === "drop") return DROP;
  if (value === null || value === undefined) return value;
  if (rule.action === "redact") return redactionMarker(rule.name);
  return transformLeaves(value, rule.action === "mask" ? maskText : pseudonym);
}

/** Mask and pseudonymize work on each string or number inside the value; booleans and null carry nothing to hide. */
function transformLeaves(value: unknown, transform: (text: string) => string): unknown {
  if (typeof value === "string") return transform(value);
  if (typeof value === "number" || typeof value === "bigint") return transform(String(value));
  if (Array.isArray(value)) return value.map((item: unknown) => transformLeaves(item, transform));
  if (typeof value === "object" && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, nested] of Object.entries(value)) setOwn(copy, key, transformLeaves(nested, transform));
    return copy;
  }
  return value;
}
