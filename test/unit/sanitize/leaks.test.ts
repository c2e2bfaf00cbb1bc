import { describe, expect, it } from "vitest";
import { withCheckDigit } from "../../helpers/luhn.js";
import { sanitizer, scrub } from "./helpers.js";

/** Each leak issue 15 lists, with the general mechanism that closes it and look-alikes that must survive it. */

const VISA = withCheckDigit("411111111111111");
const grouped = (digits: string, separator: string) => [0, 4, 8, 12].map((at) => digits.slice(at, at + 4)).join(separator);

describe("card numbers next to other digits: searched at every group boundary, Unicode spaces as separators", () => {
  it.each([
    [`${grouped(VISA, " ")} 123`, "[REDACTED:card] 123"],
    [`paid with ${VISA} 12/25`, "paid with [REDACTED:card] 12/25"],
    [`tel +1 ${VISA}`, "tel +1 [REDACTED:card]"],
    [grouped(VISA, "\u00a0"), "[REDACTED:card]"],
    [grouped(VISA, "\u202f"), "[REDACTED:card]"],
    [`${grouped(VISA, "-")} ${grouped(withCheckDigit("555555555555444"), " ")}`, "[REDACTED:card] [REDACTED:card]"],
  ])("%j", (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each(["2026 11 20 14 23 45 123", `order ${grouped(VISA.slice(0, 15) + ((Number(VISA[15]) + 1) % 10), " ")} 7`, "ids 1234 5678 9012 3456 7890"])(
    "leaves %j alone",
    (input) => {
      expect(scrub(input)).toBe(input);
    },
  );
});

describe("credential key names", () => {
  it.each(["auth", "pass", "pw", "pin", "otp", "passcode", "password1", "db_pass", "userPin", "X-Auth"])(
    "%j holds a credential, as a JSON key and in text",
    (key) => {
      const out = JSON.stringify(sanitizer().sanitize({ [key]: "s3cret-value", n: { [key]: 1234 } }));
      expect(out).not.toContain("s3cret-value");
      expect(out).not.toContain("1234");
      expect(scrub(`${key}=s3cret-value`)).not.toContain("s3cret-value");
    },
  );

  it.each(["spin", "bypass", "oauth_provider", "author", "passport", "shipping", "pinned"])("%j does not", (key) => {
    expect(sanitizer().sanitize({ [key]: "plain-value" })).toEqual({ [key]: "plain-value" });
    expect(scrub(`${key}=plain-value`)).toBe(`${key}=plain-value`);
  });

  it('as docs/sanitizer.md says, `"pin": 1234` is redacted', () => {
    expect(sanitizer().sanitizeLine('{"pin": 1234}')).toBe('{"pin":"[REDACTED:password]"}');
  });
});

describe("assignments in other syntaxes", () => {
  it.each([
    ["deploy --password hunter2 --user bob", "deploy --password [REDACTED:password] --user bob"],
    ["-pw hunter2", "-pw [REDACTED:password]"],
    ["sh -c '--pin 1234'", "sh -c '--pin [REDACTED:password]'"],
    ["--db-pass=hunter2", "--db-pass=[REDACTED:password]"],
    ['password := "hunter2"', 'password := "[REDACTED:password]"'],
    ['"password" => "hunter2"', '"password" => "[REDACTED:password]"'],
    ['setProperty("password", "hunter2")', 'setProperty("password", "[REDACTED:password]")'],
  ])("%j", (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each([
    "the password is wrong",
    "invalid token, retry later",
    "run --verbose output",
    "spin --fast now",
    // Hyphenated words and what follows a redaction marker are no flags, whatever their last word.
    "x-0000-AAAAPw a",
    "[REDACTED:slack-token]-0000000000-AAAAAAAAAAAAAAAAAAAAAAPw a",
    "--0000-pin a",
  ])("leaves %j alone", (input) => {
    expect(scrub(input)).toBe(input);
  });
});

describe("percent-encoded values: the decoded view is scanned too", () => {
  it.each([
    ["/cb?next=%2Fhome&q=password%3Dhunter2%26x%3D1", "/cb?next=%2Fhome&q=password%3D[REDACTED:password]%26x%3D1"],
    ["h=Authorization%3A%20Bearer%20abcdefghijklmnop&y=%2F", "h=Authorization%3A%20Bearer%20[REDACTED:bearer-token]&y=%2F"],
    ["/invite?to=alice%40example.com&ref=1", "/invite?to=[REDACTED:email]&ref=1"],
    ["twice=alice%2540example.com", "twice=[REDACTED:email]"],
  ])("%j", (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each(["/static/a%20b%2Fc.png", "100% sure, 50%off", "q=caf%C3%A9"])("leaves %j alone", (input) => {
    expect(scrub(input)).toBe(input);
  });
});

describe("structure", () => {
  it("everything under a credential key inherits its status", () => {
    expect(sanitizer().sanitize({ password: { value: "hunter2", n: 5, list: ["a", { x: "y" }], ok: true } })).toEqual({
      password: { value: "[REDACTED:password]", n: "[REDACTED:password]", list: ["[REDACTED:password]", { x: "[REDACTED:password]" }], ok: true },
    });
    expect(sanitizer().sanitizeLine('{"password":{"value":"hunter2"},"other":{"value":"kept"}}')).toBe(
      '{"password":{"value":"[REDACTED:password]"},"other":{"value":"kept"}}',
    );
  });

  it("headers logged as name/value pairs: the value of a credential's name is redacted, in either order", () => {
    const record = {
      headers: [
        { name: "X-Api-Key", value: "k-123" },
        { value: "Bearer abcdefghijkl", Name: "Authorization" },
        { name: "Accept", value: "json" },
      ],
    };
    const expected = {
      headers: [
        { name: "X-Api-Key", value: "[REDACTED:api-key]" },
        { value: "Bearer [REDACTED:bearer-token]", Name: "Authorization" },
        { name: "Accept", value: "json" },
      ],
    };
    expect(sanitizer().sanitize(record)).toEqual(expected);
    expect(JSON.parse(sanitizer().sanitizeLine(JSON.stringify(record)))).toEqual(expected);
    expect(sanitizer().sanitizeLine('{"name":"checkout","value":"x"}')).toBe('{"name":"checkout","value":"x"}');
  });
});

describe("text", () => {
  it("a bare Basic credential is redacted; the word after Basic that is none stays", () => {
    const basic = Buffer.from("svc-user:s3cret").toString("base64");
    expect(scrub(`auth failed: Basic ${basic} rejected`)).toBe("auth failed: Basic [REDACTED:basic-auth] rejected");
    expect(scrub("Basic authentication failed")).toBe("Basic authentication failed");
  });

  it.each(["jörg@müller.de", "用户@例子.广告", "иван@пример.рф", "a@xn--p1ai.xn--p1ai"])("the IDN e-mail address %j is redacted", (email) => {
    expect(scrub(`from ${email} today`)).toBe("from [REDACTED:email] today");
  });

  it("a value that only starts like a marker is no marker", () => {
    const s = sanitizer();
    expect(s.sanitize({ password: "[REDACTED:password]", token: "[REDACTED:x]hunter2" })).toEqual({
      password: "[REDACTED:password]",
      token: "[REDACTED:token]",
    });
    expect(s.counts()).toEqual({ token: 1 });
  });

  it("a token a public rule matches only the start of is redacted whole, and the text after it stays", () => {
    // gitleaks' slack-legacy-workspace-token takes `xoxa-0000000031` and stops at the dash.
    const token = `xoxa-0000000031-0000000000-${"A".repeat(20)}Pw`;
    expect(scrub(`token ${token} a`)).toBe("token [REDACTED:slack-token] a");
    expect(scrub(`t=${token}, next`)).not.toContain("0000000000");
  });
});
