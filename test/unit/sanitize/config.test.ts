import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../shared/core/errors.js";
import { defaultSanitizerConfig, parseSanitizerConfig, Sanitizer } from "../../../shared/sanitize/index.js";
import { readYaml } from "../../../shared/sanitize/yaml.js";
import { TEST_KEY } from "./helpers.js";

const YAML_CONFIG = `
version: 1
detectors:
  ip: pseudonymize
  jwt: off
fieldRules:
  - path: user_id          # the seed's unkeyed SHA-256, done right
    action: pseudonymize
  - path: http.headers.*
    action: redact
customRules:
  - name: order-id
    pattern: "(?<=order )ORD-\\\\d{6}"
    action: redact
    replacement: "[ORDER]"
allow:
  values: [support@example.com]
  paths: ["kubernetes.**"]
`;

function problems(text: string, source = "sanitizer.json"): string {
  try {
    parseSanitizerConfig(text, source, readYaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigurationError");
}

describe("parseSanitizerConfig", () => {
  it("reads the shipped example, which pseudonymizes user ids and account ids with the key", () => {
    const path = new URL("../../../shared/sanitize/sanitizer.example.yaml", import.meta.url);
    const config = parseSanitizerConfig(readFileSync(path, "utf8"), "sanitizer.example.yaml", readYaml);
    expect(() => new Sanitizer(config)).toThrow(/field:\*\*\.account_id pseudonymize/);
    const s = new Sanitizer(config, { hmacKey: TEST_KEY });
    const out = s.sanitize({
      user_id: "u-1",
      billing: { account_id: "a-9" },
      session: { cart: [1], id: "x" },
      msg: "order ORD-1234567 by support@example.com from 10.0.0.7",
      kubernetes: { pod_ip: "10.2.3.4" },
    });
    expect(out).toEqual({
      user_id: expect.stringMatching(/^pseu_[0-9a-f]{16}$/),
      billing: { account_id: expect.stringMatching(/^pseu_[0-9a-f]{16}$/) },
      session: { id: "x" },
      msg: "order [ORDER] by support@example.com from 10.0.0.7",
      kubernetes: { pod_ip: "10.2.3.4" },
    });
  });

  it("reads YAML and fills omitted sections from the defaults", () => {
    const config = parseSanitizerConfig(YAML_CONFIG, "sanitizer.yaml", readYaml);
    expect(config.detectors).toEqual({ email: "redact", card: "redact", ip: "pseudonymize", credentials: "redact", jwt: "off" });
    expect(config.fieldRules).toEqual([
      { path: "user_id", action: "pseudonymize" },
      { path: "http.headers.*", action: "redact" },
    ]);
    expect(config.allow).toEqual({ values: ["support@example.com"], patterns: [], paths: ["kubernetes.**"] });
    const s = new Sanitizer(config, { hmacKey: TEST_KEY });
    expect(s.sanitizeText("order ORD-123456 for support@example.com")).toBe("order [ORDER] for support@example.com");
  });

  it("without a YAML reader (the Lambda's bundle) reads JSON and refuses YAML with a message saying so", () => {
    expect(() => parseSanitizerConfig(YAML_CONFIG, "LOGEXPORT_SANITIZER_CONFIG")).toThrow(
      /^LOGEXPORT_SANITIZER_CONFIG: this runtime reads sanitizer configs as JSON only/,
    );
    expect(parseSanitizerConfig(JSON.stringify({ version: 1, allow: { values: ["x"] } }), "LOGEXPORT_SANITIZER_CONFIG").allow.values).toEqual(["x"]);
  });

  it("reads JSON, detected by name or by a leading brace", () => {
    const text = JSON.stringify({ version: 1, fieldRules: [{ path: "a.b", action: "drop" }] });
    expect(parseSanitizerConfig(text, "inline").fieldRules).toEqual([{ path: "a.b", action: "drop" }]);
    expect(parseSanitizerConfig(text, "c.json")).toEqual({ ...defaultSanitizerConfig(), fieldRules: [{ path: "a.b", action: "drop" }] });
  });

  it("names the path and value of every problem, in JSON", () => {
    const message = problems(
      JSON.stringify({
        version: 1,
        detectors: { ip: "redact", emial: "off" },
        fieldRules: [
          { path: "a..b", action: "drop" },
          { path: "x", action: "hash" },
        ],
        customRules: [
          { name: "c", pattern: "ok" },
          { name: "d", pattern: "x" },
          { name: "e", pattern: "(", action: "redact" },
        ],
        allow: { paths: ["a*"], extra: 1 },
        colour: "blue",
      }),
    );
    expect(message).toContain("sanitizer.json: invalid sanitizer config");
    expect(message).toContain("colour: unknown key");
    expect(message).toContain("allow.extra: unknown key");
    expect(message).toContain("customRules[0].action: expected a string, got undefined");
    expect(message).toContain('customRules[2].pattern: "(" is not a valid regular expression');
  });

  it("reports semantic problems with path and value after the shape is right", () => {
    const message = problems(
      JSON.stringify({
        version: 1,
        detectors: { ip: "redact", emial: "off" },
        fieldRules: [
          { path: "a..b", action: "drop" },
          { path: "x", action: "hash" },
          { path: "X", action: "drop" },
        ],
        customRules: [
          { name: "card", pattern: "x", action: "redact" },
          { name: "e", pattern: "a*", action: "mask", replacement: "r", flags: "gx" },
        ],
        allow: { patterns: ["[z-a]"], paths: ["a*"] },
      }),
    );
    expect(message).toContain('detectors.ip: "redact" is not one of mask, pseudonymize, remove, off');
    expect(message).toContain("detectors.emial: unknown detector");
    expect(message).toContain('fieldRules[0].path: "a..b" has an empty segment');
    expect(message).toContain('fieldRules[1].action: "hash" is not one of drop, redact, mask, pseudonymize');
    expect(message).toContain(`fieldRules[2].path: "X" repeats an earlier rule's path`);
    expect(message).toContain('customRules[0].name: "card" is already a rule name');
    expect(message).toContain("customRules[1].replacement: only a redact rule takes a replacement");
    expect(message).toContain('customRules[1].flags: "gx" may only combine i, m, s and u');
    expect(message).toContain('customRules[1].pattern: "a*" matches the empty string');
    expect(message).toContain('allow.patterns[0]: "[z-a]" is not a valid regular expression');
    expect(message).toContain('allow.paths[0]: "a*" uses `*` inside a segment');
  });

  it("names the path and value in YAML too, and rejects a wrong version", () => {
    const message = problems("version: 2\nfieldRules:\n  - path: user.id\n    action: scramble\n", "rules.yml");
    expect(message).toContain("rules.yml: invalid sanitizer config");
    expect(message).toContain("version: 2 is not a supported version");
    expect(message).toContain('fieldRules[0].action: "scramble" is not one of');
  });

  it("reports unparseable text with its source", () => {
    expect(problems("{ nope", "c.json")).toMatch(/^c\.json: not valid JSON/);
    expect(problems("a: [unclosed", "c.yaml")).toMatch(/^c\.yaml: not valid YAML/);
    expect(problems("a: 1\na: 2\n", "c.yaml")).toMatch(/not valid YAML/);
    expect(problems("- 1\n- 2\n", "c.yaml")).toMatch(/: expected an object, got \[1,2\]/);
  });

  it("validates configs built in code at construction", () => {
    expect(() => new Sanitizer({ ...defaultSanitizerConfig(), customRules: [{ name: "x", pattern: "(", action: "redact" }] })).toThrow(
      /customRules\[0\]\.pattern/,
    );
  });
});
