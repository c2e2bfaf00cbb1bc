import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../shared/core/errors.js";
import { hmacKeyFromSetting } from "../../../shared/sanitize/index.js";
import { Pseudonymizer } from "../../../shared/sanitize/pseudonym.js";
import { sanitizer, TEST_KEY } from "./helpers.js";

const OTHER_KEY = new Uint8Array(32).fill(9);

/** The documented pseudonym, computed independently: `pseu_` + the first 64 bits of HMAC-SHA-256 in hex. */
const expected = (key: Uint8Array, value: string) => `pseu_${createHmac("sha256", key).update(value, "utf8").digest("hex").slice(0, 16)}`;

describe("keyed pseudonyms", () => {
  it("are stable across sanitizers with the same key and differ with another key", () => {
    const config = { detectors: { email: "pseudonymize" as const } };
    const first = sanitizer(config, TEST_KEY).sanitizeText("bob@example.com");
    expect(first).toMatch(/^pseu_[0-9a-f]{16}$/);
    expect(sanitizer(config, TEST_KEY).sanitizeText("Bob@Example.com")).toBe(first);
    expect(sanitizer(config, OTHER_KEY).sanitizeText("bob@example.com")).not.toBe(first);
    expect(sanitizer(config, TEST_KEY).sanitizeText("alice@example.com")).not.toBe(first);
  });

  it("are HMAC-SHA-256 for keys shorter and longer than a block and for values of any length and script", () => {
    const keys = [TEST_KEY, new Uint8Array(64).fill(3), new Uint8Array(100).map((_, i) => i)];
    const values = ["", "u-1", "Zoë 北京 👩‍💻", "x".repeat(300), "é".repeat(5_000), "u-1"];
    for (const key of keys) {
      const pseudonyms = new Pseudonymizer(key);
      expect(values.map((value) => pseudonyms.pseudonym(value))).toEqual(values.map((value) => expected(key, value)));
    }
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

describe("pseudonymize for IP addresses and card numbers", () => {
  const ips = (key: Uint8Array) => sanitizer({ detectors: { ip: "pseudonymize" } }, key);
  const cards = (key: Uint8Array) => sanitizer({ detectors: { card: "pseudonymize" } }, key);

  it("replaces an IPv4 address with its keyed pseudonym, the same for it with or without a prefix length", () => {
    const s = ips(TEST_KEY);
    expect(s.sanitizeText("from 10.20.30.40 port 443")).toBe(`from ${expected(TEST_KEY, "10.20.30.40")} port 443`);
    expect(s.sanitizeText("net 10.20.30.40/24")).toBe(`net ${expected(TEST_KEY, "10.20.30.40")}`);
    expect(s.sanitizeText("10.20.30.41")).toBe(expected(TEST_KEY, "10.20.30.41"));
    expect(s.counts()).toEqual({ ipv4: 3 });
  });

  it("gives every text form of one IPv6 address the same pseudonym", () => {
    const forms = ["2001:db8::1", "2001:DB8:0:0:0:0:0:1", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:0::0:1"];
    const s = ips(TEST_KEY);
    expect(forms.map((form) => s.sanitizeText(`peer ${form} closed`))).toEqual(forms.map(() => `peer ${expected(TEST_KEY, "2001:db8:0:0:0:0:0:1")} closed`));
    expect(s.sanitizeText("[2001:db8::2]:443")).toBe(`[${expected(TEST_KEY, "2001:db8:0:0:0:0:0:2")}]:443`);
    expect(s.counts()).toEqual({ ipv6: 5 });
  });

  it("gives a card number the same pseudonym however it is written, as text or as a JSON number", () => {
    const s = cards(TEST_KEY);
    const pseudonym = expected(TEST_KEY, "4111111111111111");
    expect(["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111"].map((text) => s.sanitizeText(`paid with ${text}.`))).toEqual(
      Array(3).fill(`paid with ${pseudonym}.`),
    );
    expect(s.sanitize({ pan: 4111111111111111 })).toEqual({ pan: pseudonym });
    expect(s.sanitizeText("order 4111 1111 1111 1112")).toBe("order 4111 1111 1111 1112");
    expect(s.counts()).toEqual({ card: 4 });
  });

  it("are stable across sanitizers with the same key and differ with another key or another value", () => {
    const line = '{"client":"10.20.30.40","peer":"2001:db8::1"}';
    const first = ips(TEST_KEY).sanitizeLine(line);
    expect(ips(TEST_KEY).sanitizeLine(line)).toBe(first);
    const other = JSON.parse(ips(OTHER_KEY).sanitizeLine(line)) as Record<string, string>;
    const mine = JSON.parse(first) as Record<string, string>;
    expect(other.client).not.toBe(mine.client);
    expect(other.peer).not.toBe(mine.peer);
    expect(mine.client).not.toBe(ips(TEST_KEY).sanitizeText("10.20.30.41"));

    expect(cards(TEST_KEY).sanitizeText("5555555555554444")).toBe(cards(TEST_KEY).sanitizeText("5555 5555 5555 4444"));
    expect(cards(OTHER_KEY).sanitizeText("5555555555554444")).not.toBe(cards(TEST_KEY).sanitizeText("5555555555554444"));
    expect(cards(TEST_KEY).sanitizeText("4111111111111111")).not.toBe(cards(TEST_KEY).sanitizeText("5555555555554444"));
  });

  it("need the key: without one, a sanitizer pseudonymizing IPs or cards is refused", () => {
    expect(() => sanitizer({ detectors: { ip: "pseudonymize" } })).toThrow(/ipv4, ipv6 pseudonymize/);
    expect(() => sanitizer({ detectors: { card: "pseudonymize" } })).toThrow(/card pseudonymize/);
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
