/**
 * The sanitizer under attack (issue 15): no value may throw. Arbitrary JSON (every edge fast-check knows:
 * -0, huge and tiny numbers, `__proto__` keys, lone surrogates), nesting far past the walk's cap in
 * lines, records and strings, bytes that are not UTF-8, and long strings. A JSON line comes out as JSON;
 * anything else as text; a record as a record that JSON can write.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultSanitizerConfig, Sanitizer } from "../../shared/sanitize/index.js";

const KEY = new Uint8Array(32).fill(3);
const sanitizer = () => new Sanitizer(defaultSanitizerConfig(), { hmacKey: KEY });

const json = fc.jsonValue({ maxDepth: 6, depthSize: "medium" });
const deepWrap = fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.constantFrom("[", '{"k":'), json).map(([levels, open, inner]) => {
  const close = open === "[" ? "]" : "}";
  return `${open.repeat(levels)}${JSON.stringify(inner) ?? "null"}${close.repeat(levels)}`;
});
const planted = fc.constantFrom(
  "bob@example.com",
  "4111 1111 1111 1111",
  "10.1.2.3",
  "password=hunter2",
  "Bearer abcdefghijklmnop",
  "%40",
  "\\u0000",
  "\u00a0",
);
const messy = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("utf8")),
  planted,
);

describe("sanitizer fuzz", () => {
  it("JSON lines of any shape, deep or not, come out as JSON", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          json.map((value) => JSON.stringify(value) ?? "null"),
          deepWrap,
          fc.tuple(deepWrap, messy).map(([deep, text]) => `{"a":${deep},"m":${JSON.stringify(text)}}`),
        ),
        (line) => {
          const out = sanitizer().sanitizeLine(line);
          expect(() => JSON.parse(out) as unknown).not.toThrow();
        },
      ),
      { numRuns: 400 },
    );
  });

  it("records holding anything, strings of JSON nested past the cap included, come out as records JSON can write", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(json, deepWrap, messy)), (record) => {
        const out = sanitizer().sanitize(record);
        expect(() => JSON.stringify(out)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });

  it("any text, invalid UTF-8 decoded included, is sanitized without throwing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(messy, deepWrap), { maxLength: 6 }).map((parts) => parts.join(" ")),
        (text) => {
          expect(typeof sanitizer().sanitizeText(text)).toBe("string");
          expect(typeof sanitizer().sanitizeLine(text)).toBe("string");
        },
      ),
      { numRuns: 400 },
    );
  });
});
