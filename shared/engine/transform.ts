import type { RecordSanitizer, RecordTransform } from "../core/ports.js";

/** Every record is a row, sanitized: the transform of exports that keep the source's columns (Log Analytics tables). */
export function sanitizingTransform(sanitizer: RecordSanitizer): RecordTransform {
  return { sanitizer, apply: (record) => ({ kind: "row", row: sanitizer.sanitize(record) }) };
}
