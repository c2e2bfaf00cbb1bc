import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../shared/core/errors.js";
import { InvalidJsonLineError } from "../../../shared/sanitize/index.js";
import { sanitizer } from "./helpers.js";

const K8S_LINE =
  '{"timestamp":"2024-12-15T14:23:45.123Z","level":"ERROR","service":"payment-service","http":{"method":"POST","path":"/api/v1/checkout","status_code":500,"latency_ms":1234.5,"client_ip":"10.1.2.3","headers":{"user-agent":"pip/24.3.1 CPython/3.12"}},"kubernetes":{"pod":"payment-7d9f","namespace":"prod"},"message":"Database connection timeout for user bob@example.com"}';

describe("sanitizeLine", () => {
  it("keeps keys, order and types, changing only what the rules find", () => {
    const out = sanitizer().sanitizeLine(K8S_LINE);
    const before = JSON.parse(K8S_LINE) as Record<string, Record<string, unknown>>;
    const after = JSON.parse(out) as Record<string, Record<string, unknown>>;
    expect(after).toEqual({
      ...before,
      http: { ...before["http"], client_ip: "10.1.0.0/16" },
      message: "Database connection timeout for user [REDACTED:email]",
    });
    expect(Object.keys(after)).toEqual(Object.keys(before));
  });

  it("returns the very same line when nothing matches, formatting included", () => {
    const line = '{ "level": "info", "n": 1.50, "ok": true, "tags": ["a", "b"], "nothing": null }';
    expect(sanitizer().sanitizeLine(line)).toBe(line);
  });

  it("patches a line in place, keeping its formatting and long integers byte for byte", () => {
    const line = '{ "id": 12345678901234567890, "f": 1.5e300, "msg": "to bob@example.com", "n": [9007199254740993, 1.50] }';
    expect(sanitizer().sanitizeLine(line)).toBe('{ "id": 12345678901234567890, "f": 1.5e300, "msg": "to [REDACTED:email]", "n": [9007199254740993, 1.50] }');
  });

  it("keeps integers beyond 2^53 exact when a line takes the parse-and-walk path", () => {
    // A number under a credential key is redacted to a string, which only the structured path does.
    const line = '{"id":12345678901234567890,"neg":-98765432109876543210,"f":1.5e300,"pin_password":1234,"nested":[9007199254740993]}';
    expect(sanitizer().sanitizeLine(line)).toBe(
      '{"id":12345678901234567890,"neg":-98765432109876543210,"f":1.5e+300,"pin_password":"[REDACTED:password]","nested":[9007199254740993]}',
    );
  });

  it("decodes strings with escapes on the fast path and writes changed ones back escaped", () => {
    const line = '{"msg":"quote \\" and \\u0062ob@example.com","ok":"tab\\there"}';
    expect(sanitizer().sanitizeLine(line)).toBe('{"msg":"quote \\" and [REDACTED:email]","ok":"tab\\there"}');
  });

  it("sanitizes every value of a duplicated key, not only the one JSON.parse keeps", () => {
    expect(sanitizer().sanitizeLine('{"to":"bob@example.com","to":"x"}')).toBe('{"to":"[REDACTED:email]","to":"x"}');
  });

  it("gives the same values on the fast path and the structured path", () => {
    const s = sanitizer({
      fieldRules: [
        { path: "user.name", action: "mask" },
        { path: "drop_me", action: "drop" },
      ],
    });
    const fast = '{"user":{"name":"Roberta","mail":"bob@example.com"},"password":"p","list":["10.1.2.3",{"token":"t"}],"ok":true}';
    const slow = fast.replace('"ok":true', '"ok":true,"api_key":7');
    const fastOut = JSON.parse(s.sanitizeLine(fast)) as Record<string, unknown>;
    const slowOut = JSON.parse(s.sanitizeLine(slow)) as Record<string, unknown>;
    expect(fastOut).toEqual({
      user: { name: "*******", mail: "[REDACTED:user]" },
      password: "[REDACTED:password]",
      list: ["10.1.0.0/16", { token: "[REDACTED:token]" }],
      ok: true,
    });
    expect(slowOut).toEqual({ ...fastOut, api_key: "[REDACTED:api-key]" });
    expect(s.sanitizeLine('{"drop_me":1,"a":"b"}')).toBe('{"a":"b"}');
    expect(s.sanitizeLine('{"password":1234}')).toBe('{"password":"[REDACTED:password]"}');
  });

  it("sanitizes JSON embedded in a string and writes it back as JSON", () => {
    const line = JSON.stringify({ log: '{"level":"warn","context":{"user":"bob@example.com","id":12345678901234567890}}', plain: "[INFO] not json]" });
    const out = JSON.parse(sanitizer().sanitizeLine(line)) as { log: string; plain: string };
    expect(out.plain).toBe("[INFO] not json]");
    expect(out.log).toBe('{"level":"warn","context":{"user":"[REDACTED:user]","id":12345678901234567890}}');
  });

  it("sanitizes a line that is not JSON as text, or refuses it under strict without quoting it", () => {
    const s = sanitizer();
    expect(s.sanitizeLine("plain Authorization: Bearer abcdefgh")).toBe("plain Authorization: Bearer [REDACTED:bearer-token]");
    expect(s.sanitizeLine('{"broken": "bob@example.com"')).toBe('{"broken": "[REDACTED:email]"');
    expect(s.sanitizeLine("2024-12-15 10:00:00 login bob@example.com from 10.1.2.3")).toBe("2024-12-15 10:00:00 login [REDACTED:email] from 10.1.0.0/16");
    expect(() => s.sanitizeLine("2024-12-15 10:00:00 login", true)).toThrow(InvalidJsonLineError);
    let error: unknown;
    try {
      s.sanitizeLine('{"broken": "bob@example.com"', true);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidJsonLineError);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/^line is not valid JSON/);
    expect((error as Error).message).not.toContain("bob");
    expect(s.sanitizeLine('"bob@example.com"', true)).toBe('"[REDACTED:email]"');
    expect(() => s.sanitizeLine('{"raw tab":"a\tb"}', true)).toThrow(InvalidJsonLineError);
    expect(s.sanitizeLine('{"a":1}\r', true)).toBe('{"a":1}\r');
    // A line that is one JSON number is JSON too: a card number becomes the card rule's string, an order number stays.
    expect(s.sanitizeLine("4111111111111111", true)).toBe('"[REDACTED:card]"');
    expect(s.sanitizeLine("4111111111111112", true)).toBe("4111111111111112");
  });

  it("counts matches per rule and never values", () => {
    const s = sanitizer();
    s.sanitizeLine(K8S_LINE);
    s.sanitizeLine(K8S_LINE);
    s.sanitizeText("key AKIAIOSFODNN7EXAMPLE");
    expect(s.counts()).toEqual({ "aws-access-key-id": 1, email: 2, ipv4: 2 });
    expect(JSON.stringify(s.counts())).not.toContain("bob");
  });
});

describe("sanitize (records)", () => {
  it("copies on write: never mutates the input, returns untouched branches as they are", () => {
    const record = { a: { b: "x" }, c: { d: "bob@example.com" }, big: 12345678901234567890n, list: [1, "::1"] };
    const frozen = structuredClone(record);
    const out = sanitizer().sanitize(record);
    expect(record).toEqual(frozen);
    expect(out["a"]).toBe(record.a);
    expect(out["c"]).toEqual({ d: "[REDACTED:email]" });
    expect(out["big"]).toBe(12345678901234567890n);
    expect(out["list"]).toEqual([1, "::/48"]);
    const clean = { level: "info" };
    expect(sanitizer().sanitize(clean)).toBe(clean);
  });

  it("keeps an own __proto__ key as data", () => {
    const record = JSON.parse('{"__proto__":{"x":"bob@example.com"},"y":1}') as Record<string, unknown>;
    const out = sanitizer().sanitize(record);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__", "y"]);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":"[REDACTED:email]"},"y":1}');
  });
});
