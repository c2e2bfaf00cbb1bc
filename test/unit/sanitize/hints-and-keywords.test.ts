import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALL_HINTS,
  HINT_AT,
  HINT_CARD_DIGITS,
  HINT_COLONS,
  HINT_DASH,
  HINT_DOTTED_QUAD,
  HINT_OPERATOR,
  HINT_SEMICOLON,
  HINT_SEPARATOR,
  HINT_WORD,
} from "../../../shared/sanitize/text/hints.js";
import { KeywordIndex } from "../../../shared/sanitize/text/keywords.js";

const KEYWORDS = ["ghp_", "key", "akia", "pass", "passwd", "xoxb-", "eyj"];
/** Keyword i has weight 2^i, so the mask says exactly which keywords occur. */
const WEIGHTS = KEYWORDS.map((_, i) => 1 << i);

/** The hints as documented in hints.ts, counted the slow and obvious way. */
function referenceHints(text: string): number {
  if (text.length > 4095) return ALL_HINTS;
  const count = (pattern: RegExp) => text.match(pattern)?.length ?? 0;
  let hints = 0;
  if (text.includes("@")) hints |= HINT_AT;
  if (count(/[0-9]/g) >= 13) hints |= HINT_CARD_DIGITS;
  if (count(/\./g) >= 3 && count(/[0-9]/g) >= 4) hints |= HINT_DOTTED_QUAD;
  if (count(/:/g) >= 2) hints |= HINT_COLONS;
  if (/[:=]/.test(text)) hints |= HINT_SEPARATOR;
  if (text.includes(";")) hints |= HINT_SEMICOLON;
  if (text.includes("-")) hints |= HINT_DASH;
  if (count(/[A-Za-z]/g) >= 3) hints |= HINT_WORD;
  if (/[=>:|,]/.test(text)) hints |= HINT_OPERATOR;
  return hints;
}

function referenceMask(text: string): number {
  const lower = text.toLowerCase();
  return KEYWORDS.reduce((mask, keyword, i) => (lower.includes(keyword) ? mask | (WEIGHTS[i] as number) : mask), 0);
}

const piece = fc.constantFrom(
  ...KEYWORDS,
  "GHP_",
  "Pass",
  "1",
  "22",
  ".",
  ":",
  "=",
  ";",
  "-",
  "@",
  ">",
  "|",
  ",",
  "a",
  "Z",
  " ",
  "é",
  "😀",
  "\u0000",
  "k",
  "e",
  "y",
);

describe("KeywordIndex.hintsAndMask", () => {
  const index = new KeywordIndex(KEYWORDS);
  const weights = index.stateWeights(WEIGHTS);

  it("gives the documented hints and exactly the keywords that occur, case-insensitively, in one pass", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join("");
        expect(index.hintsAndMask(text, weights)).toBe(referenceHints(text));
        expect(index.lastMask).toBe(referenceMask(text));
        expect(index.lastMask).toBe(index.mask(text, weights));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives every hint to a text longer than the counters hold, and still its keywords", () => {
    const text = `${"x".repeat(5000)} AKIA`;
    expect(index.hintsAndMask(text, weights)).toBe(ALL_HINTS);
    expect(index.lastMask).toBe(referenceMask(text));
  });
});
