import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GITLEAKS_RULES, GITLEAKS_RULES_IN_SOURCE } from "../../../shared/sanitize/rules/gitleaks.generated.js";
import { lookAlikes, LOOK_ALIKE_CONTEXTS, plantLookAlike } from "../../helpers/look-alikes.js";
import { CONTEXTS, plant, samplesOf, visibleTexts } from "../../helpers/secret-samples.js";
import { sanitizer, TEST_KEY } from "./helpers.js";

/** Whether a regex source has a `|` outside every group and class, or a group left open (the operator after it would be optional or nested). */
function topLevelAlternation(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let at = 0; at < source.length; at += 1) {
    const char = source[at];
    if (char === "\\") at += 1;
    else if (inClass) inClass = char !== "]";
    else if (char === "[") inClass = true;
    else if (char === "(") depth += 1;
    else if (char === ")") depth -= 1;
    else if (char === "|" && depth === 0) return true;
  }
  return depth !== 0 || inClass;
}

/** Issue 23: every token format of gitleaks' default rules, planted in five contexts, is redacted; look-alikes are not. */

describe("the public rule set", () => {
  it("holds every rule of the source that has a pattern (a path-only rule cannot match a log line)", () => {
    expect(GITLEAKS_RULES.length).toBeGreaterThanOrEqual(GITLEAKS_RULES_IN_SOURCE - 1);
    for (const rule of GITLEAKS_RULES) expect(() => new RegExp(rule.regex)).not.toThrow();
  });

  it("has the operator as a mandatory part of every assignment rule, which lets text without an operator character skip them", () => {
    const operator = String.raw`(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)`;
    const assignments = GITLEAKS_RULES.filter((rule) => rule.value !== undefined);
    expect(assignments.length).toBeGreaterThan(90);
    for (const rule of assignments) {
      const at = rule.regex.indexOf(operator);
      expect(at, rule.id).toBeGreaterThan(0);
      expect(topLevelAlternation(rule.regex.slice(0, at)), rule.id).toBe(false);
      expect(rule.regex.indexOf(operator, at + 1), rule.id).toBe(-1);
      expect(rule.regex.slice(at + operator.length), rule.id).not.toMatch(/^(?:[?*]|\{0)/);
    }
  });

  it.each(GITLEAKS_RULES.map((rule) => [rule.id, rule] as const))("%s: generated samples are redacted in all five contexts", (_id, rule) => {
    const s = sanitizer({}, TEST_KEY);
    const samples = samplesOf(rule, 3, 23);
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      for (const context of CONTEXTS) {
        const out = s.sanitizeLine(plant(sample, context));
        expect(
          visibleTexts(out).filter((text) => text.includes(sample.secret)),
          `${context}: ${plant(sample, context)}`,
        ).toEqual([]);
      }
    }
  });

  it("leaves harmless look-alikes alone: at most 1 % of them changed in the five contexts", () => {
    const s = sanitizer({}, TEST_KEY);
    const planted = lookAlikes(20).flatMap((item) => LOOK_ALIKE_CONTEXTS.map((context) => plantLookAlike(item, context)));
    const changed = planted.filter((line) => s.sanitizeLine(line) !== line);
    expect(planted.length).toBeGreaterThanOrEqual(1000);
    expect(changed.length / planted.length).toBeLessThanOrEqual(0.01);
  });
});

const word = fc.constantFrom(
  "order",
  "shipped",
  "cache",
  "miss",
  "retry",
  "GET",
  "POST",
  "/api/v1/items",
  "took",
  "ms",
  "upstream",
  "ok",
  "done",
  "queue",
  "worker",
  "batch",
  "user-agent",
  "pip/24.3.1",
  "curl/8.5.0",
  "key",
  "token",
  "api",
  "auth",
  "secret",
);
const id = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{7,40}$/),
  fc.uuid(),
  fc.integer({ min: 0, max: 1_000_000 }).map(String),
  fc.stringMatching(/^[a-z]{3,8}-[0-9a-f]{9}-[a-z0-9]{5}$/),
);
const message = fc.array(fc.oneof(word, id), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(" "));
const line = fc.record({
  ts: fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }).map((ms) => new Date(ms).toISOString()),
  level: fc.constantFrom("debug", "info", "warn", "error"),
  msg: message,
  http: fc.record({
    method: fc.constantFrom("GET", "PUT", "POST"),
    path: fc.tuple(fc.constantFrom("/api/v1/orders", "/healthz", "/v2/catalog"), id).map(([path, tail]) => `${path}/${tail}`),
    status: fc.constantFrom(200, 201, 404, 500),
    bytes: fc.nat(),
  }),
  trace_id: fc.stringMatching(/^[0-9a-f]{32}$/),
  labels: fc.dictionary(fc.constantFrom("app", "tier", "team", "region"), fc.constantFrom("shop", "web", "payments", "eu-west-1")),
});

describe("lines with no secret (property)", () => {
  it("come out byte for byte as they went in, in at least 99 % of cases", () => {
    const s = sanitizer({}, TEST_KEY);
    const lines = fc.sample(
      line.map((value) => JSON.stringify(value)),
      { numRuns: 2000, seed: 23 },
    );
    const changed = lines.filter((text) => s.sanitizeLine(text) !== text);
    expect(changed.length / lines.length).toBeLessThanOrEqual(0.01);
  });
});
