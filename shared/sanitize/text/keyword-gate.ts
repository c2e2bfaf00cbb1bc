import { KeywordIndex } from "./keywords.js";
import type { TextRule } from "./rule.js";

/** At most this many rules declare keywords: each gets a bit of a 32-bit mask. */
const MAX_GATED_RULES = 31;

/**
 * Which keyword-gated rules a text can match, in one pass over all their keywords: a string with none of a
 * rule's keywords (most strings, for most rules) never runs its pattern.
 */
export class KeywordGate {
  private readonly index: KeywordIndex;
  private readonly weights: Int32Array;
  private readonly bits = new Map<TextRule, number>();

  constructor(rules: readonly TextRule[]) {
    const keywords: string[] = [];
    const weights: number[] = [];
    for (const rule of rules) {
      if (rule.keywords === undefined) continue;
      if (this.bits.size === MAX_GATED_RULES) throw new Error(`at most ${MAX_GATED_RULES} text rules can have keywords`);
      const bit = 1 << this.bits.size;
      this.bits.set(rule, bit);
      for (const keyword of rule.keywords) {
        const lower = keyword.toLowerCase();
        const at = keywords.indexOf(lower);
        if (at === -1) {
          keywords.push(lower);
          weights.push(bit);
        } else {
          weights[at] = (weights[at] as number) | bit;
        }
      }
    }
    this.index = new KeywordIndex(keywords);
    this.weights = this.index.stateWeights(weights);
  }

  /** The text's hints (see hints.ts), with the bits of the rules whose keywords occur in it left in `lastMask`: one pass for both. */
  hints(text: string): number {
    return this.index.hintsAndMask(text, this.weights);
  }

  /** The mask of the text `hints` read last. */
  get lastMask(): number {
    return this.index.lastMask;
  }

  /** The rule's bit; 0 for a rule without keywords, which is never gated. */
  bit(rule: TextRule): number {
    return this.bits.get(rule) ?? 0;
  }
}
