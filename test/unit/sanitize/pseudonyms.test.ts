import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../shared/core/errors.js";
import { hmacKeyFromSetting } from "../../../shared/sanitize/index.js";
import { sanitizer, TEST_KEY } from "./helpers.js";

const OTHER_KEY = new Uint8Array(32).fill(9);

describe("keyed pseudonyms", () => {
  it("are stable across sanitizers with the same key and differ with another key", () => {
    const config = { detectors: { email: "pseudonymize" as const } };
    const first = sanitizer(config, TEST_KEY).sanitizeText("bob@example.com");
    expect(first).toMatch(/^pseu_[0-9a-f]{16}$/);
    expect(sanitizer(config, TEST_KEY).sanitizeText("Bob@Example.com")).toBe(first);
    expect(sanitizer(config, OTHER_KEY).sanitizeText("bob@example.com")).not.toBe(first);
    expect(sanitizer(config, TEST_KEY).sanitizeText("alice@example.com")).not.toBe(first);
  });

  it("refuses at construction to pseudonymize without a key, naming the rules", () => {
    const build = () => sanitizer({ detectors: { ip: "pseudonymize" }, fieldRules: [{ path: "user_id", action: "pseudonymize" }] });
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(/ipv4, ipv6, field:user_id.*LOGEXPORT_HMAC_KEY/);
  });

  it("needs no key for the default rules", () => {
    expect(() => sanitizer()).not.toThrow();
  });

  it("refuses a key shorter than 32 bytes passed directly", () => {
    expect(() => sanitizer({}, new Uint8Array(16))).toThrow(/at least 32 bytes/);
  });
});

describe("hmacKeyFromSetting", () => {
  const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

  it("reads hex and base64 (standard and URL-safe) keys of at least 32 bytes", () => {
    expect(hmacKeyFromSetting(bytes.toString("hex"))).toEqual(new Uint8Array(bytes));
    expect(hmacKeyFromSetting(bytes.toString("base64"))).toEqual(new Uint8Array(bytes));
    expect(hmacKeyFromSetting(` ${bytes.toString("base64url")} `)).toEqual(new Uint8Array(bytes));
  });

  it("treats an empty setting as no key", () => {
    expect(hmacKeyFromSetting(undefined)).toBeUndefined();
    expect(hmacKeyFromSetting("  ")).toBeUndefined();
  });

  it("rejects short and malformed keys without echoing them", () => {
    expect(() => hmacKeyFromSetting("abcd1234")).toThrow(/at least 32 bytes.*got 4 bytes/);
    let message = "";
    try {
      hmacKeyFromSetting("not a key!");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/LOGEXPORT_HMAC_KEY must be hex or base64/);
    expect(message).not.toContain("not a key");
  });
});
