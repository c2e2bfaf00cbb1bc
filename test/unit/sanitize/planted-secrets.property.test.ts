import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sanitizer } from "./helpers.js";
import { luhnCheckDigit } from "../../helpers/luhn.js";

/**
 * Random JSON documents with secrets planted at random depths, also inside
 * JSON embedded in strings: emails, card numbers (as text and as JSON numbers),
 * JWTs, AWS key ids, bearer tokens, IPv4 and IPv6 addresses, passwords in
 * `key=value` and in URLs, PEM private keys, Azure SAS signatures, storage and
 * Service Bus connection strings, GitHub and Slack tokens. Filler text and keys
 * use only the letters a–m and spaces, which no detector can match, and plain
 * numbers include 16-digit order numbers failing Luhn, so anything that changes
 * outside a planted secret is a bug.
 */

type Node =
  | { readonly kind: "object"; readonly entries: readonly (readonly [string, Node])[] }
  | { readonly kind: "array"; readonly items: readonly Node[] }
  | { readonly kind: "plain"; readonly value: string | number | boolean | null }
  | { readonly kind: "secret"; readonly prefix: string; readonly text: string; readonly secret: string; readonly suffix: string }
  /** A card number held as a JSON number: it must come out as a string without its digits. */
  | { readonly kind: "cardNumber"; readonly value: number }
  | { readonly kind: "embedded"; readonly doc: Node };

const chars = (alphabet: string, minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

const DIGITS = "0123456789";
const UPPER32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64URL = `${ALNUM}-_`;

const HEX = "0123456789abcdefABCDEF";
const BASE64 = `${ALNUM}+/`;
/** Characters a password may hold in `key=value` text: anything but the spaces, quotes and `& ; ,` that end a value. */
const PASSWORD = `${ALNUM}!#$%*+-./:?@^_~=`;
/** A URL password: anything but whitespace, quotes and the `/ ? #` that start the path. */
const URL_PASSWORD = `${ALNUM}!$%*+-.~_@:`;

const base64Of = (minBytes: number, maxBytes: number) =>
  fc.uint8Array({ minLength: minBytes, maxLength: maxBytes }).map((bytes) => Buffer.from(bytes).toString("base64"));

/** Token and armor prefixes are put together here, so the source holds nothing a secret scanner would flag. */
const GITHUB_PREFIXES = ["p", "o", "u", "s", "r"].map((kind) => `gh${kind}_`);
const GITHUB_FINE_GRAINED = ["github", "pat", ""].join("_");
const SLACK_PREFIXES = ["a", "b", "p", "r", "s"].map((kind) => `xo${"x"}${kind}-`);
const pemArmor = (edge: "BEGIN" | "END", kind: string) => `${"-".repeat(5)}${edge} ${kind}${["PRIVATE", "KEY"].join(" ")}${"-".repeat(5)}`;

interface Plant {
  readonly text: string;
  /** What must not survive of it. */
  readonly secret: string;
  /** Planted as the whole value: a connection string is one marker, so filler around it would go with it. */
  readonly standalone?: boolean;
}

const ipv6: fc.Arbitrary<Plant> = fc
  .tuple(fc.array(chars(HEX, 1, 4), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 7 }))
  .map(([groups, head, tail]) => {
    // The full form, or `head::tail` with something after the `::`, so no address is a prefix of its /48 mask.
    const address = head + tail >= 8 ? groups.join(":") : `${groups.slice(0, head).join(":")}::${groups.slice(8 - tail).join(":")}`;
    return { text: address, secret: address };
  });

const keyValuePassword: fc.Arbitrary<Plant> = fc
  .tuple(
    fc.constantFrom("password", "db_password", "Passwd", "pwd", "passphrase", "client_secret", "X-Api-Key"),
    fc.constantFrom("=", ": ", ":", " = "),
    chars(PASSWORD, 8, 24),
  )
  .map(([key, separator, value]) => ({ text: `${key}${separator}${value}`, secret: value }));

const urlPassword: fc.Arbitrary<Plant> = fc
  .tuple(
    fc.constantFrom("postgres", "mysql", "redis", "amqps", "https", "mongodb+srv"),
    chars("abcdefghijklmnopqrstuvwxyz0123456789", 2, 10),
    chars(URL_PASSWORD, 8, 24),
    chars("abcdefghijklmnopqrstuvwxyz", 2, 10),
    fc.constantFrom("", "/", "/orders", ":5432/orders?sslmode=require"),
  )
  .map(([scheme, user, password, host, rest]) => ({ text: `${scheme}://${user}:${password}@${host}.example.net${rest}`, secret: password }));

const privateKey: fc.Arbitrary<Plant> = fc
  .tuple(fc.constantFrom("", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "), fc.array(chars(BASE64, 64, 64), { minLength: 1, maxLength: 4 }), chars(BASE64, 4, 60))
  .map(([kind, lines, last]) => {
    const body = `\n${[...lines, `${last}==`].join("\n")}\n`;
    return { text: `${pemArmor("BEGIN", kind)}${body}${pemArmor("END", kind)}`, secret: body.trim() };
  });

const sasSignature: fc.Arbitrary<Plant> = fc
  .tuple(chars("abcdefghijklmnopqrstuvwxyz0123456789", 3, 24), base64Of(32, 32), fc.boolean())
  .map(([account, signature, last]) => {
    const sig = encodeURIComponent(signature);
    const query = last ? `sv=2022-11-02&sp=r&se=2026-12-31&sig=${sig}` : `sv=2022-11-02&sig=${sig}&sp=r&spr=https`;
    return { text: `https://${account}.blob.core.windows.net/logs/app.log?${query}`, secret: sig };
  });

const connectionString: fc.Arbitrary<Plant> = fc.oneof(
  fc.tuple(chars("abcdefghijklmnopqrstuvwxyz0123456789", 3, 24), base64Of(64, 64)).map(([account, key]) => ({
    text: `DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=${key};EndpointSuffix=core.windows.net`,
    secret: key,
    standalone: true,
  })),
  fc.tuple(chars("abcdefghijklmnopqrstuvwxyz0123456789", 6, 24), base64Of(32, 32)).map(([namespace, key]) => ({
    text: `Endpoint=sb://${namespace}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${key}`,
    secret: key,
    standalone: true,
  })),
);

const githubToken: fc.Arbitrary<Plant> = fc.oneof(
  fc.tuple(fc.constantFrom(...GITHUB_PREFIXES), chars(ALNUM, 36, 40)).map(([prefix, body]) => ({ text: `${prefix}${body}`, secret: `${prefix}${body}` })),
  chars(`${ALNUM}_`, 22, 82).map((body) => ({ text: `${GITHUB_FINE_GRAINED}${body}`, secret: `${GITHUB_FINE_GRAINED}${body}` })),
);

const slackToken: fc.Arbitrary<Plant> = fc
  .tuple(fc.constantFrom(...SLACK_PREFIXES), chars(DIGITS, 10, 13), chars(DIGITS, 10, 13), chars(ALNUM, 24, 32))
  .map(([prefix, team, user, body]) => {
    const token = `${prefix}${team}-${user}-${body}`;
    return { text: token, secret: token };
  });

/** What is planted (`text`) and what must not survive of it (`secret`). */
const planted: fc.Arbitrary<Plant> = fc.oneof(
  fc
    .tuple(
      chars("abcdefghijklmnopqrstuvwxyz0123456789", 1, 1),
      chars("abcdefghijklmnopqrstuvwxyz0123456789._+'-", 0, 10),
      chars("abcdefghijklmnopqrstuvwxyz0123456789", 1, 1),
      chars("abcdefghijklmnopqrstuvwxyz", 2, 8),
      chars("abcdefghijklmnopqrstuvwxyz", 2, 4),
    )
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
  fc
    .tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 }))
    .map((octets) => {
      const ip = octets.join(".");
      return { text: ip, secret: ip };
    }),
  ipv6,
  keyValuePassword,
  urlPassword,
  privateKey,
  sasSignature,
  connectionString,
  githubToken,
  slackToken,
);

/** Visa-style 16-digit numbers (below 2^53, so exact as JSON numbers): Luhn-valid cards, and order numbers one check digit off. */
const sixteenDigits = (valid: boolean) =>
  chars(DIGITS, 14, 14).map((digits) => {
    const check = luhnCheckDigit(`4${digits}`);
    return Number(`4${digits}${valid ? check : (check + 1) % 10}`);
  });

const filler = chars("abcdefghijklm ", 0, 12).map((text) => text.trim());
const key = chars("abcdefghijklm", 1, 8);
const plainValue = fc.oneof(
  filler,
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  // Whole numbers of 13–19 digits are judged as card numbers; plain ones come from sixteenDigits(false).
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .filter((n) => !(Number.isInteger(n) && Math.abs(n) >= 1e12 && Math.abs(n) < 1e19))
    .map((n) => (Object.is(n, -0) ? 0 : n)),
  sixteenDigits(false),
  fc.boolean(),
  fc.constant(null),
);

const { doc } = fc.letrec<{ doc: Node; node: Node }>((tie) => ({
  doc: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.uniqueArray(fc.tuple(key, tie("node")), { selector: ([k]) => k, maxLength: 6 }).map((entries): Node => ({ kind: "object", entries })),
    },
    { weight: 1, arbitrary: fc.array(tie("node"), { maxLength: 5 }).map((items): Node => ({ kind: "array", items })) },
  ),
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 4, arbitrary: plainValue.map((value): Node => ({ kind: "plain", value })) },
    {
      weight: 3,
      arbitrary: fc.tuple(filler, planted, filler).map(
        ([prefix, p, suffix]): Node => ({
          kind: "secret",
          prefix: p.standalone === true ? "" : prefix,
          suffix: p.standalone === true ? "" : suffix,
          text: p.text,
          secret: p.secret,
        }),
      ),
    },
    { weight: 1, arbitrary: sixteenDigits(true).map((value): Node => ({ kind: "cardNumber", value })) },
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
    case "cardNumber":
      return node.value;
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
    case "cardNumber":
      return [String(node.value)];
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
    case "cardNumber":
      expect(typeof out).toBe("string");
      expect(out as string).not.toContain(String(node.value));
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
