import { describe, expect, it } from "vitest";
import { MAX_DEPTH } from "../../../shared/sanitize/sanitizer.js";
import { sanitizer } from "./helpers.js";

/** `levels` arrays around `inner`, built without recursion. */
function nested(levels: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < levels; i += 1) value = [value];
  return value;
}

const brackets = (levels: number, inner = "") => `${"[".repeat(levels)}${inner}${"]".repeat(levels)}`;

describe("values that nest deeply", () => {
  it("a User-Agent of 4,000 `[` and 4,000 `]` passes through unchanged, in records and in lines", () => {
    const agent = brackets(4000);
    const s = sanitizer();
    expect(s.sanitize({ user_agent: agent, status: 200 })).toEqual({ user_agent: agent, status: 200 });
    expect(s.sanitizeLine(JSON.stringify({ user_agent: agent }))).toBe(JSON.stringify({ user_agent: agent }));
    expect(s.counts()).toEqual({});
  });

  it("JSON in a string nested past the cap is scanned as text, so what it hides is still found", () => {
    const agent = brackets(MAX_DEPTH + 10, '"bob@example.com"');
    const out = sanitizer().sanitize({ user_agent: agent }) as { user_agent: string };
    expect(out.user_agent).toBe(brackets(MAX_DEPTH + 10, '"[REDACTED:email]"'));
  });

  it("a line nested far deeper than the cap comes out as JSON with its secrets gone", () => {
    const line = JSON.stringify({ deep: nested(1000, "bob@example.com"), n: 1 });
    const out = sanitizer().sanitizeLine(line);
    expect(out).not.toContain("bob@example.com");
    expect(JSON.parse(out)).toMatchObject({ n: 1 });
  });

  it("a value too deep to write as JSON fails alone: its field becomes the marker and is counted, the row goes on", () => {
    const s = sanitizer();
    const record = { deep: nested(200_000, "x"), note: "bob@example.com", n: 1 };
    expect(s.sanitize(record)).toEqual({ deep: "[REDACTED:sanitizer-failure]", note: "[REDACTED:email]", n: 1 });
    expect(s.counts()).toEqual({ email: 1, sanitizer_failures: 1 });
  });

  it("in a line, the same: the other fields keep their sanitized values and the line stays JSON", () => {
    const s = sanitizer();
    // A card number as a JSON number makes the line take the structured path, where the depth is met.
    const line = `{"pan":4111111111111111,"deep":${brackets(200_000)},"note":"bob@example.com","id":12345678901234567890}`;
    expect(s.sanitizeLine(line)).toBe('{"pan":"[REDACTED:card]","deep":"[REDACTED:sanitizer-failure]","note":"[REDACTED:email]","id":12345678901234567890}');
    expect(s.counts()).toEqual({ card: 1, email: 1, sanitizer_failures: 1 });
  });
});

describe("strings at the edges", () => {
  it("a 16 MB string is scanned whole: secrets at both ends are found", () => {
    const filler = "lorem ipsum ".repeat(1_400_000);
    const out = sanitizer().sanitizeText(`bob@example.com ${filler} 10.1.2.3`);
    expect(out.startsWith("[REDACTED:email] lorem")).toBe(true);
    expect(out.endsWith(" 10.1.0.0/16")).toBe(true);
  });

  it("lone surrogates and invalid escapes neither throw nor make the output invalid", () => {
    const s = sanitizer();
    const line = '{"a":"\\ud800 bob@example.com","b":"\\udfff"}';
    expect(JSON.parse(s.sanitizeLine(line))).toEqual({ a: "\ud800 [REDACTED:email]", b: "\udfff" });
    expect(s.sanitizeLine('{"a":"\\x41 bob@example.com"}')).toBe('{"a":"\\x41 [REDACTED:email]"}');
  });
});
