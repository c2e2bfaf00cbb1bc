import type { Column, LogRecord } from "../../core/records.js";
import { parseJsonExact } from "../../sanitize/json-exact.js";

type Convert = (value: unknown) => unknown;

const keep: Convert = (value) => value;

/** A run of 16 or more digits may be an integer JSON.parse would round. */
const LONG_DIGITS = /\d{16,}/;

/**
 * The API sends `dynamic` values as JSON text; export them as the JSON they hold, integers beyond 2^53
 * as bigint so no digit is lost (a 64-bit id inside a dynamic column stays the id it was).
 */
const dynamic: Convert = (value) => {
  if (typeof value !== "string") return value;
  try {
    return LONG_DIGITS.test(value) ? parseJsonExact(value) : (JSON.parse(value) as unknown);
  } catch {
    return value;
  }
};

/** Builds one row-to-record function per column set, so the per-row work is a loop of assignments. */
export function recordBuilder(columns: readonly Column[]): (values: readonly unknown[]) => LogRecord {
  const names = columns.map((c) => c.name);
  const converters = columns.map((c) => (c.type === "dynamic" ? dynamic : keep));
  return (values) => {
    const record: LogRecord = {};
    for (let i = 0; i < names.length; i += 1) {
      const name = names[i] as string;
      const value = (converters[i] as Convert)(values[i] ?? null);
      // Assigning `__proto__` would replace the record's prototype and lose the column.
      if (name === "__proto__") Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
      else record[name] = value;
    }
    return record;
  };
}
