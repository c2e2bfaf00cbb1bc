/**
 * Shared arbitraries for the fuzz suites: text mutations of a real input
 * (truncate, delete, insert, duplicate, replace a character), JSON mutations
 * of a real object (drop a key, give a key a value of the wrong type, add an
 * unknown key) and values of every JSON type, huge ones included.
 */
import fc from "fast-check";

/** Characters that break parsers: quotes, brackets, escapes, separators, control and non-BMP characters. */
const NASTY = ['"', "\\", "[", "]", "{", "}", ",", ":", " ", "-", "/", "\n", "\r", "\t", "\u0000", "\u2028", "😀", "%", "=", ";", "'", "`"];

export const nastyChar = fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }));

type TextEdit =
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "insert" | "digits" | "replace"; readonly at: number; readonly text: string }
  | { readonly kind: "duplicate"; readonly at: number; readonly length: number };

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ unit: nastyChar, minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), text: nastyChar }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("digits" as const), at: fc.nat(), text: fc.constantFrom("9".repeat(20), "-1", "0", "1e308", "2147483648", "NaN") }),
);

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  return edits.reduce((current, e) => {
    const at = current.length === 0 ? 0 : e.at % (current.length + 1);
    switch (e.kind) {
      case "truncate":
        return current.slice(0, at);
      case "delete":
        return current.slice(0, at) + current.slice(at + e.length);
      case "insert":
      case "digits":
        return current.slice(0, at) + e.text + current.slice(at);
      case "replace":
        return current.slice(0, at) + e.text + current.slice(at + 1);
      case "duplicate":
        return current.slice(0, at + e.length) + current.slice(at, at + e.length) + current.slice(at + e.length);
    }
  }, text);
}

/** Text edits of `text`: what a truncated, corrupted or hand-edited input looks like. */
export function mutatedText(text: string, maxEdits = 3): fc.Arbitrary<string> {
  return fc.array(textEdit, { minLength: 1, maxLength: maxEdits }).map((edits) => applyEdits(text, edits));
}

/** Values of every JSON type, including the ones that break naive code: huge and negative numbers, empty and odd strings, nesting. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, "", " ", "null", "1", "true", "-", "__proto__", [], {}, [[]], {
    "": null,
  }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: nastyChar, maxLength: 20 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** An object with a key removed, given a wrong value or an edited string, or an unknown key added, up to `maxEdits` times. */
export function mutatedObject(base: Readonly<Record<string, unknown>>, maxEdits = 2): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  const edit = fc.oneof(
    fc.record({ kind: fc.constant("drop" as const), key: fc.constantFrom(...keys) }),
    fc.record({ kind: fc.constant("set" as const), key: fc.constantFrom(...keys), value: wrongValue }),
    fc.record({ kind: fc.constant("edit" as const), key: fc.constantFrom(...keys), edits: fc.array(textEdit, { minLength: 1, maxLength: 2 }) }),
    fc.record({
      kind: fc.constant("add" as const),
      key: fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "extra", ""), fc.string({ maxLength: 8 })),
      value: wrongValue,
    }),
  );
  return fc.array(edit, { minLength: 1, maxLength: maxEdits }).map((edits) => {
    const out: Record<string, unknown> = { ...base };
    for (const e of edits) {
      if (e.kind === "drop") delete out[e.key];
      else {
        const value =
          e.kind === "edit" ? applyEdits(typeof out[e.key] === "string" ? (out[e.key] as string) : (JSON.stringify(out[e.key]) ?? ""), e.edits) : e.value;
        // defineProperty, so a `__proto__` key is an own key as JSON.parse would make it.
        Object.defineProperty(out, e.key, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  });
}
