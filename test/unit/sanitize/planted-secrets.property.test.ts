import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sanitizer } from "./helpers.js";

/**
 * Random JSON documents with secrets planted at random depths, also inside
 * JSON embedded in strings. Filler text and keys use only the letters a–m
 * and spaces, which no detector can match, so anything that changes outside
 * a planted secret is a bug.
 */

type Node =
  | { readonly kind: "object"; readonly entries: readonly (readonly [string, Node])[] }
  | { readonly kind: "array"; readonly items: readonly Node[] }
  | { readonly kind: "plain"; readonly value: string | number | boolean | null }
  | { readonly kind: "secret"; readonly prefix: string; readonly text: string; readonly secret: string; readonly suffix: string }
  | { readonly kind: "embedded"; readonly doc: Node };

const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

const DIGITS = "0123456789";
const UPPER32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64URL = `${ALNUM}-_`;

function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

/** What is planted (`text`) and what must not survive of it (`secret`). */
const planted: fc.Arbitrary<{ text: string; secret: string }> = fc.oneof(
  fc
    .tuple(chars("abcdefghijklmnopqrstuvwxyz0123456789", 1, 1), chars("abcdefghijklmnopqrstuvwxyz0123456789._+'-", 0, 10), chars("abcdefghijklmnopqrstuvwxyz0123456789", 1, 1), chars("abcdefghijklmnopqrstuvwxyz", 2, 8), chars("abcdefghijklmnopqrstuvwxyz", 2, 4))
    .filter(([, middle]) => !/[.'][.']/.test(middle))
    .map(([first, middle, last, domain, tld]) => `${first}${middle}${last}@${domain}.${tld}`)
    .map((email) => ({ text: email, secret: email })),
  fc.tuple(chars(DIGITS, 14, 14), fc.constantFrom("", " ", "-")).map(([digits, separator]) => {
    const number = `4${digits}${luhnCheckDigit(`4${digits}`)}`;
    const text = [number.slice(0, 4), number.slice(4, 8), number.slice(8, 12), number.slice(12)].join(separator);
    return { text, secret: text };
  }),
  fc.tuple(chars(BASE64URL, 10, 30), chars(BASE64URL, 10, 30), chars(BASE64URL, 10, 43)).map(([h, p, s]) => {
    const jwt = `eyJ${h}.eyJ${p}.${s}`;
    return { text: jwt, secret: jwt };
  }),
  chars(UPPER32, 16, 16).map((id) => ({ text: `AKIA${id}`, secret: `AKIA${id}` })),
  chars(ALNUM, 20, 40).map((token) => ({ text: `Bearer ${token}`, secret: token })),
  fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map((octets) => {
    const ip = octets.join(".");
    return { text: ip, secret: ip };
  }),
);

const filler = chars("abcdefghijklm ", 0, 12).map((text) => text.trim());
const key = chars("abcdefghijklm", 1, 8);
const plainValue = fc.oneof(
  filler,
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.boolean(),
  fc.constant(null),
);

const { doc } = fc.letrec<{ doc: Node; node: Node }>((tie) => ({
  doc: fc.oneof(
    { weight: 3, arbitrary: fc.uniqueArray(fc.tuple(key, tie("node")), { selector: ([k]) => k, maxLength: 6 }).map((entries): Node => ({ kind: "object", entries })) },
    { weight: 1, arbitrary: fc.array(tie("node"), { maxLength: 5 }).map((items): Node => ({ kind: "array", items })) },
  ),
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 4, arbitrary: plainValue.map((value): Node => ({ kind: "plain", value })) },
    { weight: 3, arbitrary: fc.tuple(filler, planted, filler).map(([prefix, p, suffix]): Node => ({ kind: "secret", prefix, suffix, ...p })) },
    { weight: 2, arbitrary: tie("doc") },
    { weight: 1, arbitrary: tie("doc").map((inner): Node => ({ kind: "embedded", doc: inner })) },
  ),
}));

const rootDoc = doc.filter((node) => node.kind === "object");

function render(node: Node): unknown {
  switch (node.kind) {
    case "object":
      return Object.fromEntries(node.entries.map(([k, child]) => [k, render(child)]));
    case "array":
      return node.items.map(render);
    case "plain":
      return node.value;
    case "secret":
      return [node.prefix, node.text, node.suffix].filter((part) => part !== "").join(" ");
    case "embedded":
      return JSON.stringify(render(node.doc));
  }
}

function secrets(node: Node): string[] {
  switch (node.kind) {
    case "object":
      return node.entries.flatMap(([, child]) => secrets(child));
    case "array":
      return node.items.flatMap(secrets);
    case "secret":
      return [node.secret];
    case "embedded":
      return secrets(node.doc);
    case "plain":
      return [];
  }
}

/** The output has the input's shape: same keys in the same order, untouched values equal, text around secrets kept. */
function expectSameShape(node: Node, out: unknown): void {
  switch (node.kind) {
    case "object": {
      expect(typeof out === "object" && out !== null && !Array.isArray(out)).toBe(true);
      const record = out as Record<string, unknown>;
      expect(Object.keys(record)).toEqual(node.entries.map(([k]) => k));
      for (const [k, child] of node.entries) expectSameShape(child, record[k]);
      return;
    }
    case "array":
      expect(Array.isArray(out)).toBe(true);
      expect((out as unknown[]).length).toBe(node.items.length);
      node.items.forEach((child, i) => expectSameShape(child, (out as unknown[])[i]));
      return;
    case "plain":
      expect(out).toEqual(node.value);
      return;
    case "secret":
      expect(typeof out).toBe("string");
      expect(out as string).not.toContain(node.secret);
      if (node.prefix !== "") expect((out as string).startsWith(`${node.prefix} `)).toBe(true);
      if (node.suffix !== "") expect((out as string).endsWith(` ${node.suffix}`)).toBe(true);
      return;
    case "embedded":
      expect(typeof out).toBe("string");
      expectSameShape(node.doc, JSON.parse(out as string));
      return;
  }
}

describe("planted secrets (property)", () => {
  it("are all gone from sanitized JSON lines, which still parse and keep their shape", () => {
    fc.assert(
      fc.property(rootDoc, (node) => {
        const line = JSON.stringify(render(node));
        const out = sanitizer().sanitizeLine(line);
        for (const secret of secrets(node)) expect(out).not.toContain(secret);
        expectSameShape(node, JSON.parse(out));
        // Lines without escapes take the in-place fast path, the others the parse-and-walk path: same values either way.
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(sanitizer().sanitize(JSON.parse(line) as Record<string, unknown>))));
      }),
      { numRuns: 300 },
    );
  });

  it("are all gone from sanitized records, and the input record is left as it was", () => {
    fc.assert(
      fc.property(rootDoc, (node) => {
        const record = render(node) as Record<string, unknown>;
        const before = JSON.stringify(record);
        const out = sanitizer().sanitize(record);
        expect(JSON.stringify(record)).toBe(before);
        const text = JSON.stringify(out);
        for (const secret of secrets(node)) expect(text).not.toContain(secret);
        expectSameShape(node, out);
      }),
      { numRuns: 300 },
    );
  });

  it("turn any JSON line into JSON with the same values as sanitizing the parsed record", () => {
    fc.assert(
      fc.property(fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue())), (value) => {
        const line = JSON.stringify(value);
        const out = sanitizer().sanitizeLine(line, true);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(sanitizer().sanitize({ value }))).value);
      }),
      { numRuns: 300 },
    );
  });
});
