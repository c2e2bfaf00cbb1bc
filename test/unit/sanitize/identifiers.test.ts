import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../shared/core/errors.js";
import { sanitizer, TEST_KEY } from "./helpers.js";

const pseudonym = (value: string) => `pseu_${createHmac("sha256", TEST_KEY).update(value, "utf8").digest("hex").slice(0, 16)}`;

const KEYS = ["user_id", "userId", "user", "username", "UserPrincipalName", "upn", "email", "remote_user", "X-User-Id"];
const LOOK_ALIKES = ["user_agent", "users_total", "superuser", "user_type", "username_length_limit", "mailbox"];

describe("user identifiers, by default", () => {
  it.each(KEYS)("%j is pseudonymized with the keyed HMAC when a key is configured, at any depth", (key) => {
    const s = sanitizer({}, TEST_KEY);
    expect(s.sanitize({ [key]: "u-1001", nested: { deeper: [{ [key]: "u-1001" }] } })).toEqual({
      [key]: pseudonym("u-1001"),
      nested: { deeper: [{ [key]: pseudonym("u-1001") }] },
    });
    expect(s.name).toContain("user identifiers pseudonymized");
  });

  it.each(KEYS)("%j is redacted when no key is configured", (key) => {
    const s = sanitizer();
    expect(s.sanitize({ [key]: "u-1001" })).toEqual({ [key]: "[REDACTED:user]" });
    expect(s.counts()).toEqual({ user: 1 });
    expect(s.name).toContain("user identifiers redacted");
  });

  it.each(LOOK_ALIKES)("%j is not an identifier", (key) => {
    expect(sanitizer({}, TEST_KEY).sanitize({ [key]: "plain" })).toEqual({ [key]: "plain" });
  });

  it("numbers become the pseudonym of their digits; an object that names a user has its id and name pseudonymized, not its counts", () => {
    const s = sanitizer({}, TEST_KEY);
    expect(s.sanitizeLine('{"userId":42,"ok":true}')).toBe(`{"userId":"${pseudonym("42")}","ok":true}`);
    expect(s.sanitize({ user: { id: 7, displayName: "Bob", logins: 3 }, initiatedBy: { user: { id: "u-9" } } })).toEqual({
      user: { id: pseudonym("7"), displayName: pseudonym("Bob"), logins: 3 },
      initiatedBy: { user: { id: pseudonym("u-9") } },
    });
  });

  it("gives the same output on the in-place path and the structured path", () => {
    const s = sanitizer({}, TEST_KEY);
    const line = '{"user_id":"u-1","http":{"user":"bob","n":1},"log":"{\\"upn\\":\\"bob@corp.example.com\\"}"}';
    expect(JSON.parse(s.sanitizeLine(line))).toEqual(s.sanitize(JSON.parse(line) as Record<string, unknown>));
    expect(s.sanitizeLine(line)).not.toContain("bob");
  });

  it("can be set: off keeps them, pseudonymize without a key is refused, redact ignores a key", () => {
    expect(sanitizer({ detectors: { identifiers: "off" } }).sanitize({ user_id: "u-1" })).toEqual({ user_id: "u-1" });
    expect(() => sanitizer({ detectors: { identifiers: "pseudonymize" } })).toThrow(ConfigurationError);
    expect(sanitizer({ detectors: { user: "redact" } }, TEST_KEY).sanitize({ user_id: "u-1" })).toEqual({ user_id: "[REDACTED:user]" });
  });

  it("field rules and allow paths still decide first", () => {
    const s = sanitizer({ fieldRules: [{ path: "user", action: "mask" }], allow: { values: [], patterns: [], paths: ["audit.**"] } }, TEST_KEY);
    expect(s.sanitize({ user: "roberta", audit: { user_id: "u-1" } })).toEqual({ user: "*******", audit: { user_id: "u-1" } });
  });
});
