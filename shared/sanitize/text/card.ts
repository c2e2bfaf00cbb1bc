import { redactionMarker } from "../catalog.js";
import { maskCardNumber } from "../mask.js";
import { HINT_CARD_DIGITS } from "./hints.js";
import type { Edit, MatchContext, TextRule } from "./rule.js";
import { rewrite } from "./rule.js";

/** Characters that may separate the digit groups of a card number: space, dash and the Unicode spaces (no-break, figure, thin, …). */
const SEPARATORS = "\\u0020\\-\\u00a0\\u2000-\\u200a\\u202f\\u205f\\u3000";

/**
 * A run of digit groups with single separators between them, at least 13 characters long, not part of a
 * longer number, word or decimal. A card is looked for inside it at every group boundary, so digits next to
 * a card (`4111 1111 1111 1111 123`, `paid with 4111111111111111 12/25`) do not hide it.
 */
const CARD_RUN = new RegExp(`(?<![\\w.-])(?=[\\d${SEPARATORS}]{13})\\d+(?:[${SEPARATORS}]\\d+)*(?![\\w-]|\\.\\d)`, "g");
const GROUP = /\d+/g;
const MAX_CARD_DIGITS = 19;
const MIN_CARD_DIGITS = 13;

const DASH = 45;
const SPACE = 32;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

/** Whether a character is a digit or one of SEPARATORS. */
function inRun(code: number): boolean {
  if (code >= DIGIT_0 && code <= DIGIT_9) return true;
  if (code === SPACE || code === DASH) return true;
  return code >= 0xa0 && (code === 0xa0 || (code >= 0x2000 && code <= 0x200a) || code === 0x202f || code === 0x205f || code === 0x3000);
}

/** Whether the text has MIN_CARD_DIGITS characters in a row that CARD_RUN's lookahead accepts: most numbered text (paths, durations, counts) does not. */
function hasRunOfCardLength(text: string): boolean {
  let run = 0;
  for (let at = 0; at < text.length; at += 1) {
    run = inRun(text.charCodeAt(at)) ? run + 1 : 0;
    if (run === MIN_CARD_DIGITS) return true;
  }
  return false;
}

/** Whether a card may start or end at this boundary of the run: at its edges or at a space, never inside dash-joined groups (`4111-1111-1111-1111-1111` is an id). */
function isEdge(run: string, at: number): boolean {
  return at <= 0 || at >= run.length || run.charCodeAt(at) !== DASH;
}

/** The first card in a run of digit groups, as offsets in the run: the longest that starts at the earliest group. */
function cardInRun(run: string): { start: number; end: number; digits: string } | undefined {
  const groups = [...run.matchAll(GROUP)];
  for (let first = 0; first < groups.length; first += 1) {
    const start = (groups[first] as RegExpExecArray).index;
    if (!isEdge(run, start - 1)) continue;
    let digits = "";
    let found: { start: number; end: number; digits: string } | undefined;
    for (let last = first; last < groups.length && digits.length < MAX_CARD_DIGITS; last += 1) {
      const group = groups[last] as RegExpExecArray;
      const end = group.index + group[0].length;
      digits += group[0];
      if (digits.length >= MIN_CARD_DIGITS && isEdge(run, end) && looksLikeCard(digits)) found = { start, end, digits };
    }
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The Luhn checksum every issued card number satisfies. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Issuer prefixes of the card networks with the lengths each issues, so that long runs of digits that
 * only look like cards (epoch timestamps in ms or ns from 2040 on start with 22…) do not pass: Visa 4
 * (13, 16, 19), Mastercard 51–55 and 2221–2720 (16), Amex 34/37 (15), Diners Carte Blanche 300–305
 * (14), Diners 36 (14–19) and 38/39 (14–16), JCB 3528–3589 (16–19), Maestro 50/56–58 (13–19),
 * Discover, UnionPay and Maestro 6x (13–19).
 */
function issuerPrefix(digits: string): boolean {
  const n = digits.length;
  const two = Number(digits.slice(0, 2));
  const three = Number(digits.slice(0, 3));
  const four = Number(digits.slice(0, 4));
  if (digits[0] === "4") return n === 13 || n === 16 || n === 19;
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return n === 16;
  if (two === 34 || two === 37) return n === 15;
  if (three >= 300 && three <= 305) return n === 14;
  if (two === 36) return n >= 14;
  if (two === 38 || two === 39) return n <= 16;
  if (four >= 3528 && four <= 3589) return n >= 16;
  return digits[0] === "6" || two === 50 || (two >= 56 && two <= 58);
}

/** Whether a run of digits (nothing else) is a card number: 13–19 digits, an issuer prefix, a valid Luhn checksum. */
export function looksLikeCard(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && issuerPrefix(digits) && luhnValid(digits);
}

/** Integers below this have at most 19 digits, and String() writes them without an exponent. */
const ABOVE_19_DIGITS = 1e19;

/**
 * The digits of a JSON number that is a card number: a positive integer of 13–19 digits passing the
 * card checks; undefined for anything else (negatives, fractions, order numbers failing Luhn).
 * A bigint is exact; a number is taken as String() writes it.
 */
export function cardNumberDigits(value: number | bigint): string | undefined {
  if (typeof value === "bigint" ? value <= 0n : !Number.isInteger(value) || value <= 0 || value >= ABOVE_19_DIGITS) return undefined;
  const digits = value.toString();
  return looksLikeCard(digits) ? digits : undefined;
}

export class CardRule implements TextRule {
  constructor(private readonly action: "redact" | "mask" | "pseudonymize") {}

  readonly requires = HINT_CARD_DIGITS;
  readonly minLength = 13;

  apply(text: string, context: MatchContext): string {
    if (!hasRunOfCardLength(text)) return text;
    return rewrite(text, CARD_RUN, (match) => this.edit(match, context));
  }

  private edit(match: RegExpExecArray, context: MatchContext): Edit | undefined {
    const card = cardInRun(match[0]);
    if (card === undefined) return undefined;
    const text = match[0].slice(card.start, card.end);
    if (context.allowed(text)) return undefined;
    context.counts.add("card");
    return { start: match.index + card.start, end: match.index + card.end, text: this.replacement(text, card.digits, context) };
  }

  /** What a card number held as a JSON number becomes (a string, counted); undefined when allowed. */
  replaceNumber(digits: string, context: MatchContext): string | undefined {
    if (context.allowed(digits)) return undefined;
    context.counts.add("card");
    return this.replacement(digits, digits, context);
  }

  private replacement(card: string, digits: string, context: MatchContext): string {
    if (this.action === "mask") return maskCardNumber(card);
    return this.action === "pseudonymize" ? context.pseudonym(digits) : redactionMarker("card");
  }
}
