import { describe, expect, it } from "vitest";
import { withCheckDigit } from "../../helpers/luhn.js";
import { sanitizer, TEST_KEY } from "./helpers.js";

/** A 19-digit card number, beyond 2^53: JSON.parse would round it. */
const CARD_19 = withCheckDigit("622126000000000001");
/** 19 digits, not a card: its last digit is one off the check digit. */
const TRACE_19 = `${CARD_19.slice(0, -1)}${(Number(CARD_19.slice(-1)) + 1) % 10}`;

describe("card numbers held as JSON numbers", () => {
  it("become the card rule's string in records; order numbers and other numbers stay numbers", () => {
    const s = sanitizer();
    const out = s.sanitize({
      pan: 4111111111111111,
      order: 4111111111111112,
      amex: 378282246310005,
      qty: 3,
      price: 12.5,
      epochMs: 1734272625123,
      refund: -4111111111111111,
      nested: [{ card: 5555555555554444 }],
    });
    expect(out).toEqual({
      pan: "[REDACTED:card]",
      order: 4111111111111112,
      amex: "[REDACTED:card]",
      qty: 3,
      price: 12.5,
      epochMs: 1734272625123,
      refund: -4111111111111111,
      nested: [{ card: "[REDACTED:card]" }],
    });
    expect(s.counts()).toEqual({ card: 3 });
  });

  it("become strings in JSON lines, on the exact digits of 19-digit numbers, leaving other long integers exact", () => {
    const s = sanitizer();
    expect(s.sanitizeLine('{"pan": 4111111111111111, "order": 4111111111111112}')).toBe('{"pan":"[REDACTED:card]","order":4111111111111112}');
    expect(s.sanitizeLine(`{"pan":${CARD_19},"trace":${TRACE_19}}`)).toBe(`{"pan":"[REDACTED:card]","trace":${TRACE_19}}`);
    const untouched = `{"order": 4111111111111112, "trace": ${TRACE_19}, "n": 1e3}`;
    expect(s.sanitizeLine(untouched)).toBe(untouched);
    expect(s.counts()).toEqual({ card: 2 });
  });

  it("are judged by value, whatever the notation, and inside JSON embedded in strings", () => {
    const s = sanitizer();
    expect(s.sanitize({ pan: BigInt(CARD_19), trace: BigInt(TRACE_19) })).toEqual({ pan: "[REDACTED:card]", trace: BigInt(TRACE_19) });
    expect(JSON.parse(s.sanitizeLine('{"a":4.111111111111111e15,"b":4111111111111111.0,"c":4111111111111111.5}'))).toEqual({
      a: "[REDACTED:card]",
      b: "[REDACTED:card]",
      c: 4111111111111111.5,
    });
    expect(s.sanitize({ log: '{"card": 5555555555554444, "n": 2}' })).toEqual({ log: '{"card":"[REDACTED:card]","n":2}' });
  });

  it("follow the card action, the allow-lists and field rules, and stay numbers with the card detector off", () => {
    expect(sanitizer({ detectors: { card: "mask" } }).sanitize({ pan: 4111111111111111 })).toEqual({ pan: "************1111" });
    expect(sanitizer({ detectors: { card: "pseudonymize" } }, TEST_KEY).sanitize({ pan: 4111111111111111 }).pan).toBe(
      sanitizer({ detectors: { card: "pseudonymize" } }, TEST_KEY).sanitizeText("4111 1111 1111 1111"),
    );
    expect(sanitizer({ detectors: { card: "off" } }).sanitizeLine('{"pan":4111111111111111}')).toBe('{"pan":4111111111111111}');
    expect(
      sanitizer({ allow: { values: ["4111111111111111"], patterns: [], paths: ["test_cards.**"] } }).sanitize({
        pan: 4111111111111111,
        test_cards: { visa: 4012888888881881 },
      }),
    ).toEqual({ pan: 4111111111111111, test_cards: { visa: 4012888888881881 } });
    expect(sanitizer({ fieldRules: [{ path: "pan", action: "drop" }] }).sanitizeLine('{"pan":4111111111111111,"n":1}')).toBe('{"n":1}');
  });

  it("leave epoch timestamps alone for the next decades: an issuer's prefix comes with the lengths it issues", () => {
    const s = sanitizer();
    const seen: string[] = [];
    // Every millisecond and nanosecond timestamp on the hour from 2026 to 2080 that happens to pass Luhn.
    for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2080, 0, 1); ms += 3_600_000 * 97) {
      for (const value of [ms, BigInt(ms) * 1_000_000n + 3n]) {
        const out = s.sanitize({ t: value }).t;
        if (out !== value) seen.push(String(value));
      }
    }
    expect(seen).toEqual([]);
    expect(s.counts()).toEqual({});
    // The example the fuzz suite found: a 2045 timestamp in ms is 13 digits starting with 2, which no issuer uses.
    expect(s.sanitize({ t: Date.parse("2045-01-01T00:00:00.003Z") })).toEqual({ t: Date.parse("2045-01-01T00:00:00.003Z") });
    // Real lengths still match: Visa 13 and 19, Mastercard 2-series 16, Amex 15.
    expect(
      s.sanitize({
        a: Number(withCheckDigit("422222222222")),
        b: BigInt(withCheckDigit("411111111111111111")),
        c: Number(withCheckDigit("222100000000000")),
        d: 378282246310005,
      }),
    ).toEqual({ a: "[REDACTED:card]", b: "[REDACTED:card]", c: "[REDACTED:card]", d: "[REDACTED:card]" });
  });
});
