import { describe, expect, it } from "vitest";
import { sanitizer, TEST_KEY } from "./helpers.js";

const record = {
  user: { id: "u-42", email: "bob@example.com", profile: { Password: "x", nick: "bobby" } },
  http: { headers: { "user-agent": "curl/8", "x-trace": "t-1" }, items: [{ password: "a" }, { password: "b" }] },
  level: "info",
};

describe("field rules", () => {
  it("matches key paths case-insensitively, with * for one key and ** for any depth", () => {
    const s = sanitizer({
      fieldRules: [
        { path: "USER.ID", action: "redact" },
        { path: "http.headers.*", action: "drop" },
        { path: "**.password", action: "mask" },
      ],
    });
    expect(s.sanitize(record)).toEqual({
      user: { id: "[REDACTED:field:USER.ID]", email: "[REDACTED:user]", profile: { Password: "*", nick: "bobby" } },
      http: { headers: {}, items: [{ password: "*" }, { password: "*" }] },
      level: "info",
    });
    expect(s.counts()).toEqual({ user: 1, "field:**.password": 3, "field:USER.ID": 1, "field:http.headers.*": 2 });
  });

  it("lets the first matching rule decide and applies a rule to the whole value below it", () => {
    const s = sanitizer({
      fieldRules: [
        { path: "user", action: "redact" },
        { path: "user.id", action: "drop" },
      ],
    });
    expect(s.sanitize({ user: { id: 1 }, n: null })).toEqual({ user: "[REDACTED:field:user]", n: null });
  });

  it("masks long values to their last four characters, numbers included", () => {
    const s = sanitizer({ fieldRules: [{ path: "**.account", action: "mask" }] });
    expect(s.sanitize({ a: { account: "GB29NWBK60161331926819" }, b: { account: 1234567890 }, c: { account: true } })).toEqual({
      a: { account: "******************6819" },
      b: { account: "******7890" },
      c: { account: true },
    });
  });

  it("pseudonymizes strings and numbers alike (so joins on ids still work) and keeps key order", () => {
    const s = sanitizer({ fieldRules: [{ path: "user_id", action: "pseudonymize" }] }, TEST_KEY);
    const a = s.sanitize({ ts: 1, user_id: "42", msg: "m" });
    const b = s.sanitize({ ts: 2, user_id: 42, msg: "m" });
    expect(Object.keys(a)).toEqual(["ts", "user_id", "msg"]);
    expect(a["user_id"]).toMatch(/^pseu_[0-9a-f]{16}$/);
    expect(b["user_id"]).toBe(a["user_id"]);
  });

  it("applies rules inside JSON embedded in a string, continuing the key path", () => {
    const s = sanitizer({ fieldRules: [{ path: "log.user.id", action: "drop" }] });
    expect(s.sanitize({ log: '{"user":{"id":7,"role":"n"}}' })).toEqual({ log: '{"user":{"role":"n"}}' });
  });

  it("tells which rules touch a key path", () => {
    const s = sanitizer({
      fieldRules: [
        { path: "user", action: "redact" },
        { path: "**.id", action: "drop" },
      ],
      allow: { values: [], patterns: [], paths: ["trace.**"] },
    });
    expect(s.rulesTouching(["user", "id"])).toEqual(["field:user", "field:**.id"]);
    expect(s.rulesTouching(["http", "headers", "Authorization"])).toEqual(["authorization"]);
    expect(s.rulesTouching(["trace", "token"])).toEqual([]);
    expect(s.rulesTouching(["level"])).toEqual([]);
  });
});

describe("allow-lists", () => {
  it("keeps allowed values, allowed matches and everything under allowed paths", () => {
    const s = sanitizer({
      fieldRules: [{ path: "trace.secret_id", action: "drop" }],
      allow: { values: ["support@example.com"], patterns: ["^10\\.0\\."], paths: ["trace.**"] },
    });
    expect(
      s.sanitize({
        msg: "mail support@example.com or bob@example.com from 10.0.1.2 or 10.9.1.2",
        trace: { ip: "10.9.9.9", password: "p", secret_id: 1 },
      }),
    ).toEqual({
      msg: "mail support@example.com or [REDACTED:email] from 10.0.1.2 or 10.9.0.0/16",
      trace: { ip: "10.9.9.9", password: "p" },
    });
  });
});
