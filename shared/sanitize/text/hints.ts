/**
 * Hints: what one pass over a string (KeywordIndex.hintsAndMask, with the keyword scan) says about which
 * detectors could match at all, so the common string (a level, a path, a pod name) costs a loop and no regex.
 * The loop only ORs flags and adds packed counters from two tables: this is about twice as fast as tracking
 * character pairs, and the regexes behind the gates reject what the counts let through.
 */

export const HINT_AT = 1;
/** At least 13 digits: the shortest card number. */
export const HINT_CARD_DIGITS = 2;
/** Three dots and four digits: the least a dotted quad has. */
export const HINT_DOTTED_QUAD = 4;
/** Two colons: the least an IPv6 address (`::1`) has. */
export const HINT_COLONS = 8;
/** A `:` or `=`: every key-value credential has one. */
export const HINT_SEPARATOR = 16;
export const HINT_SEMICOLON = 32;
export const HINT_DASH = 64;
/** At least three ASCII letters: every credential keyword and token prefix has them, an ISO timestamp does not. */
export const HINT_WORD = 128;
/** A character of an assignment operator (`=`, `>`, `:`, `|`, `,`): every match of the public rule set's assignment rules holds one. */
export const HINT_OPERATOR = 256;

/** Per ASCII code, the hints the character alone gives. */
export const FLAGS = new Uint16Array(128);
FLAGS[64] = HINT_AT;
FLAGS[58] = HINT_SEPARATOR | HINT_OPERATOR;
FLAGS[61] = HINT_SEPARATOR | HINT_OPERATOR;
FLAGS[59] = HINT_SEMICOLON;
FLAGS[45] = HINT_DASH;
FLAGS[62] = HINT_OPERATOR;
FLAGS[124] = HINT_OPERATOR;
FLAGS[44] = HINT_OPERATOR;

/** Counters packed 12 bits apart in one float (exact below 2^53): digits, letters, colons, dots. */
const FIELD = 4096;
const DIGIT = 1;
const LETTER = FIELD;
const COLON = FIELD ** 2;
const DOT = FIELD ** 3;
/** Per ASCII code, what it adds to the packed counters. */
export const COUNTS = new Float64Array(128);
for (let code = 48; code <= 57; code += 1) COUNTS[code] = DIGIT;
for (let code = 65; code <= 90; code += 1) COUNTS[code] = LETTER;
for (let code = 97; code <= 122; code += 1) COUNTS[code] = LETTER;
COUNTS[58] = COLON;
COUNTS[46] = DOT;

/** Longer strings would overflow a counter; they are rare enough to just run every rule. */
export const MAX_COUNTED_LENGTH = FIELD - 1;
export const ALL_HINTS = HINT_AT | HINT_CARD_DIGITS | HINT_DOTTED_QUAD | HINT_COLONS | HINT_SEPARATOR | HINT_SEMICOLON | HINT_DASH | HINT_WORD | HINT_OPERATOR;

const MIN_CARD_DIGITS = 13;
const MIN_QUAD_DOTS = 3;
const MIN_QUAD_DIGITS = 4;
const MIN_IPV6_COLONS = 2;
const MIN_WORD_LETTERS = 3;

/** The hints of a text from the characters' own hints (FLAGS, ORed) and their packed counters (COUNTS, summed). */
export function withCounts(hints: number, counts: number): number {
  let result = hints;
  const digits = counts % FIELD;
  const letters = Math.floor(counts / LETTER) % FIELD;
  const colons = Math.floor(counts / COLON) % FIELD;
  const dots = Math.floor(counts / DOT);
  if (digits >= MIN_CARD_DIGITS) result |= HINT_CARD_DIGITS;
  if (dots >= MIN_QUAD_DOTS && digits >= MIN_QUAD_DIGITS) result |= HINT_DOTTED_QUAD;
  if (colons >= MIN_IPV6_COLONS) result |= HINT_COLONS;
  if (letters >= MIN_WORD_LETTERS) result |= HINT_WORD;
  return result;
}
