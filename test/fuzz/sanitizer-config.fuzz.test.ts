/**
 * Sanitizer config, JSON and YAML: configs with right and wrong values in every section,
 * mutated text of the shipped example, and arbitrary documents. The answer is a usable
 * config (it builds a Sanitizer and reads back the same) or a ConfigurationError naming
 * the source and, for each problem, its path.
 *
 * Found here and fixed (docs/fuzzing.md): YAML aliases with no anchor (ReferenceError), aliases
 * to their own parent (TypeError), alias bombs (ReferenceError), nesting thousands deep
 * (RangeError; in YAML a process abort), an empty key reported with an empty path.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ConfigurationError } from "../../shared/core/errors.js";
import { parseSanitizerConfig, Sanitizer, type SanitizerConfig } from "../../shared/sanitize/index.js";
import { readYaml } from "../../shared/sanitize/yaml.js";
import { mutatedText, wrongValue } from "./mutate.js";

const EXAMPLE_YAML = readFileSync(new URL("../../shared/sanitize/sanitizer.example.yaml", import.meta.url), "utf8");
const ROOTS = ["version", "detectors", "fieldRules", "customRules", "allow"];
const KEY = randomBytes(32);

const action = fc.constantFrom("redact", "mask", "pseudonymize", "off", "drop", "remove", "keep", "", "REDACT");
const anyString = fc.oneof(fc.constantFrom("", " ", "a: b", "__proto__", "..", "*", "**"), fc.string({ maxLength: 12 }));
const fieldRule = fc.record(
  {
    path: fc.oneof(fc.constantFrom("user_id", "**.password", "http.headers.*", "a..b", "*", "**", "a.**.b"), anyString, wrongValue),
    action: fc.oneof(action, wrongValue),
  },
  { requiredKeys: [] },
);
const customRule = fc.record(
  {
    name: fc.oneof(fc.constantFrom("order-id", "", "a b"), anyString, wrongValue),
    pattern: fc.oneof(fc.constantFrom("(", "[a-z]+", "(?<=order )\\d+", "a{2,1}", "\\", "", "(?<n>a)\\k<n>", "\\p{L}+"), anyString, wrongValue),
    flags: fc.oneof(fc.constantFrom("i", "g", "y", "imsu", "ii", "z", "", "v"), wrongValue),
    action: fc.oneof(action, wrongValue),
    replacement: fc.oneof(anyString, wrongValue),
  },
  { requiredKeys: [] },
);
const strings = fc.oneof(fc.array(fc.oneof(anyString, wrongValue), { maxLength: 3 }), wrongValue);
/** A config with every section present or not, each right or wrong in shape and value, plus an unknown key now and then. */
const configValue = fc.record(
  {
    version: fc.oneof(fc.constant(1), fc.constantFrom(2, "1", 1.0, 0), wrongValue),
    detectors: fc.oneof(
      fc.dictionary(
        fc.oneof(fc.constantFrom("email", "card", "ip", "credentials", "jwt", "ipv6", "ipv4", "bearer-token", "password", "nope"), anyString),
        fc.oneof(action, wrongValue),
        { maxKeys: 4 },
      ),
      wrongValue,
    ),
    fieldRules: fc.oneof(fc.array(fc.oneof(fieldRule, wrongValue), { maxLength: 3 }), wrongValue),
    customRules: fc.oneof(fc.array(fc.oneof(customRule, wrongValue), { maxLength: 3 }), wrongValue),
    allow: fc.oneof(
      fc.record(
        {
          values: strings,
          patterns: fc.oneof(fc.array(fc.constantFrom("^10\\.", "(", "[", "a+"), { maxLength: 2 }), strings),
          paths: fc.oneof(fc.array(fc.constantFrom("kubernetes.**", "", "a..b"), { maxLength: 2 }), strings),
        },
        { requiredKeys: [] },
      ),
      wrongValue,
    ),
    extra: wrongValue,
  },
  { requiredKeys: [] },
);

/** Configs made only of valid pieces, so the accepting side is exercised as much as the refusing one. */
const validConfig = fc.record(
  {
    version: fc.constant(1),
    detectors: fc.record(
      {
        email: fc.constantFrom("redact", "pseudonymize", "off"),
        card: fc.constantFrom("redact", "mask", "pseudonymize", "off"),
        ip: fc.constantFrom("mask", "pseudonymize", "remove", "off"),
        credentials: fc.constantFrom("redact", "pseudonymize", "off"),
        jwt: fc.constantFrom("redact", "off"),
      },
      { requiredKeys: [] },
    ),
    fieldRules: fc.uniqueArray(
      fc.record({
        path: fc.constantFrom("user_id", "**.password", "http.headers.*", "a.**.b", "session.cart"),
        action: fc.constantFrom("drop", "redact", "mask", "pseudonymize"),
      }),
      { selector: (r) => r.path, maxLength: 3 },
    ),
    customRules: fc.array(
      fc.record({
        name: fc.constantFrom("order-id", "ticket"),
        pattern: fc.constantFrom("ORD-\\d{6,}", "(?<=id=)\\w+", "[a-z]+"),
        action: fc.constantFrom("redact", "pseudonymize"),
      }),
      { maxLength: 2 },
    ),
    allow: fc.record(
      {
        values: fc.array(fc.constantFrom("support@example.com", "10.0.0.1"), { maxLength: 2 }),
        patterns: fc.array(fc.constantFrom("^10\\.0\\.", "a+"), { maxLength: 2 }),
        paths: fc.array(fc.constantFrom("kubernetes.**", "meta"), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ["version"] },
);

/** What a parse returns or throws, checked: a usable config, or a ConfigurationError that names the source and every problem's path. */
/** Inputs that crashed the parser once: aliases, alias bombs, deep nesting, empty and odd keys. */
const HOSTILE_YAML: readonly string[] = [
  "version: 1\nallow: {values: [*x]}",
  "version: 1\nallow: &x\n  values: *x",
  `version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 5 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(", ")}]`).join("\n")}\nallow: {values: *a5}`,
  `version: 1\nallow: ${"[".repeat(10_000)}`,
  `version: 1\nallow:\n${Array.from({ length: 200 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`).join("\n")}`,
  '"": false\nversion: 1',
  '"a: b": 1\nversion: 1',
];
const HOSTILE_JSON: readonly string[] = [
  `{"version":1,"allow":${"[".repeat(10_000)}`,
  '{"": false, "version": 1}',
  `{"version":1,"allow":{"values":${"[".repeat(70)}${"]".repeat(70)}}}`,
];

function expectConfigOrNamedError(text: string, source: string): "ok" | "error" {
  let config: SanitizerConfig;
  try {
    config = parseSanitizerConfig(text, source, readYaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message.startsWith(`${source}: `)).toBe(true);
    const [head, ...problems] = message.split("\n  - ");
    if (head === `${source}: invalid sanitizer config:`) {
      expect(problems.length).toBeGreaterThan(0);
      for (const problem of problems) {
        const path = problem.slice(0, problem.indexOf(": "));
        expect(path.length, problem).toBeGreaterThan(0);
        const root = /^[^.[]*/.exec(path)?.[0] ?? "";
        // A known section, the whole document, or an unknown key said to be one.
        expect(ROOTS.includes(root) || path === "(top level)" || problem.includes(": unknown key (allowed: "), problem).toBe(true);
      }
    } else {
      expect(head).toMatch(
        new RegExp(`^${source.replace(".", "\\.")}: (not valid (JSON|YAML): \\S|nested more than \\d+ levels deep|\\d+ characters is more than)`),
      );
    }
    return "error";
  }
  expect(config.version).toBe(1);
  for (const list of [config.fieldRules, config.customRules, config.allow.values, config.allow.patterns, config.allow.paths])
    expect(Array.isArray(list)).toBe(true);
  // Usable as it is, and the same once written out and read again.
  expect(() => new Sanitizer(config, { hmacKey: KEY })).not.toThrow();
  expect(parseSanitizerConfig(JSON.stringify(config), "again.json")).toEqual(config);
  return "ok";
}

describe("fuzz: sanitizer config", () => {
  it("JSON: a usable config or a ConfigurationError naming each problem's path (2,000 cases)", () => {
    const outcomes = { ok: 0, error: 0 };
    const example = JSON.stringify({
      version: 1,
      detectors: { email: "redact", jwt: "off" },
      fieldRules: [{ path: "user_id", action: "pseudonymize" }],
      customRules: [{ name: "order-id", pattern: "ORD-\\d{6,}", action: "redact" }],
      allow: { values: ["a@example.com"], patterns: [], paths: [] },
    });
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 2, arbitrary: validConfig.map((c) => JSON.stringify(c)) },
          { weight: 4, arbitrary: configValue.map((c) => JSON.stringify(c)) },
          { weight: 3, arbitrary: mutatedText(example, 3) },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
          { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
          { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_JSON) },
        ),
        (text) => {
          outcomes[expectConfigOrNamedError(text, "config.json")] += 1;
        },
      ),
      { numRuns: 2_000 },
    );
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.error).toBeGreaterThan(200);
  });

  describe("YAML", () => {
    // YAML warns through process.emitWarning (e.g. a collection used as a key): keep the run quiet.
    const emitWarning = process.emitWarning;
    beforeAll(() => {
      process.emitWarning = (() => undefined) as typeof process.emitWarning;
    });
    afterAll(() => {
      process.emitWarning = emitWarning;
    });

    it("a usable config or a ConfigurationError naming each problem's path (1,500 cases)", () => {
      const outcomes = { ok: 0, error: 0 };
      const yamlText = fc.oneof(
        { weight: 2, arbitrary: validConfig.map((c) => stringify(c)) },
        { weight: 4, arbitrary: configValue.map((c) => stringify(c)) },
        { weight: 4, arbitrary: mutatedText(EXAMPLE_YAML, 4) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => stringify(v)) },
        { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
      );
      fc.assert(
        fc.property(
          fc.oneof({ weight: 12, arbitrary: yamlText }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_YAML) }),
          fc.constantFrom("sanitizer.yaml", "sanitizer.yml", "inline"),
          (text, source) => {
            outcomes[expectConfigOrNamedError(text, source)] += 1;
          },
        ),
        { numRuns: 1_500 },
      );
      expect(outcomes.ok).toBeGreaterThan(100);
      expect(outcomes.error).toBeGreaterThan(200);
    });
  });
});
