import { redactionMarker } from "../catalog.js";
import { maskCardNumber } from "../mask.js";
import { HINT_CARD_DIGITS } from "./hints.js";
import type { MatchContext, TextRule } from "./rule.js";
import { replaceMatch, rewrite } from "./rule.js";

/** 13–19 digits, single spaces or dashes between them, not part of a longer number, word or decimal. */
const CARD = /(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-]|\.\d)/g;

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

/** Issuer prefixes of the card networks (Visa 4, Mastercard 51–55 and 2221–2720, Amex/Diners/JCB 3x, Discover/UnionPay/Maestro 5x–6x). */
function issuerPrefix(digits: string): boolean {
  const first = digits[0];
  if (first === "3" || first === "4" || first === "5" || first === "6") return true;
  if (first !== "2") return false;
  const four = Number(digits.slice(0, 4));
  return four >= 2221 && four <= 2720;
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
    return rewrite(text, CARD, (match) => {
      const digits = match[0].replace(/[ -]/g, "");
      if (!looksLikeCard(digits)) return undefined;
      return replaceMatch(match, context, "card", (card) => this.replacement(card, digits, context));
    });
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
