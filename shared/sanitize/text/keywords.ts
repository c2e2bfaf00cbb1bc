import { ALL_HINTS, COUNTS, FLAGS, MAX_COUNTED_LENGTH, withCounts } from "./hints.js";

/**
 * Which of many keywords occur in a text, case-insensitively, in one pass: an Aho-Corasick automaton
 * compiled to a table, so each character costs one lookup whatever the number of keywords. This is the
 * prefilter that lets the secret rules run only where their keywords occur (gitleaks does the same).
 */

/** Characters that occur in no keyword share class 0, so the table has a column per keyword character only. */
function characterClasses(keywords: readonly string[]): { classes: Uint8Array; count: number } {
  const classes = new Uint8Array(128);
  let count = 1;
  for (const keyword of keywords) {
    for (const char of keyword) {
      const code = char.charCodeAt(0);
      if (code >= 128) throw new Error(`keyword ${JSON.stringify(keyword)} is not ASCII`);
      if (classes[code] === 0) classes[code] = count++;
    }
  }
  for (let code = 65; code <= 90; code += 1) classes[code] = classes[code + 32] as number;
  return { classes, count };
}

export class KeywordIndex {
  private readonly classes: Uint8Array;
  private readonly width: number;
  private readonly next: Int32Array;
  /** The keywords (indexes into the constructor's list) that end in each state, fail links included. */
  private readonly found: readonly (readonly number[])[];
  /** 1 where a state ends a keyword: the common case, none, costs one byte read. */
  private readonly ends: Uint8Array;
  /** The mask of the text hintsAndMask read last. */
  lastMask = 0;

  constructor(keywords: readonly string[]) {
    const lower = keywords.map((keyword) => keyword.toLowerCase());
    const { classes, count } = characterClasses(lower);
    this.classes = classes;
    this.width = count;
    const goto: number[][] = [new Array<number>(count).fill(-1)];
    const ends: number[][] = [[]];
    lower.forEach((keyword, index) => {
      let state = 0;
      for (const char of keyword) {
        const symbol = classes[char.charCodeAt(0)] as number;
        let target = goto[state]?.[symbol] ?? -1;
        if (target === -1) {
          target = goto.length;
          goto.push(new Array<number>(count).fill(-1));
          ends.push([]);
          (goto[state] as number[])[symbol] = target;
        }
        state = target;
      }
      (ends[state] as number[]).push(index);
    });
    this.next = new Int32Array(goto.length * count);
    const fail = new Int32Array(goto.length);
    const queue: number[] = [];
    for (let symbol = 0; symbol < count; symbol += 1) {
      const target = (goto[0] as number[])[symbol] as number;
      this.next[symbol] = target === -1 ? 0 : target;
      if (target > 0) queue.push(target);
    }
    for (let head = 0; head < queue.length; head += 1) {
      const state = queue[head] as number;
      (ends[state] as number[]).push(...(ends[fail[state] as number] as number[]));
      for (let symbol = 0; symbol < count; symbol += 1) {
        const target = (goto[state] as number[])[symbol] as number;
        const fallback = this.next[(fail[state] as number) * count + symbol] as number;
        if (target === -1) {
          this.next[state * count + symbol] = fallback;
        } else {
          this.next[state * count + symbol] = target;
          fail[target] = fallback;
          queue.push(target);
        }
      }
    }
    this.found = ends;
    this.ends = Uint8Array.from(ends, (list) => (list.length > 0 ? 1 : 0));
  }

  /** Calls `hit` with the states at which keywords end (see keywordsAt); none for most texts. */
  scan(text: string, hit: (state: number) => void): void {
    const { classes, width, next, ends } = this;
    let state = 0;
    for (let at = 0; at < text.length; at += 1) {
      const code = text.charCodeAt(at);
      state = next[state * width + (code < 128 ? (classes[code] as number) : 0)] as number;
      if (ends[state] === 1) hit(state);
    }
  }

  /** Per state, the OR of the weights of the keywords that end there: for mask. */
  stateWeights(weights: readonly number[]): Int32Array {
    return Int32Array.from(this.found, (keywords) => keywords.reduce((sum, keyword) => sum | (weights[keyword] ?? 0), 0));
  }

  /** The OR of the weights (see stateWeights) of every keyword in the text: one table read per character, no branch. */
  mask(text: string, stateWeights: Int32Array): number {
    const { classes, width, next } = this;
    let state = 0;
    let mask = 0;
    for (let at = 0; at < text.length; at += 1) {
      const code = text.charCodeAt(at);
      state = next[state * width + (code < 128 ? (classes[code] as number) : 0)] as number;
      mask |= stateWeights[state] as number;
    }
    return mask;
  }

  /**
   * mask() and the text's hints (see hints.ts) in one pass: returns the hints and leaves the mask in `lastMask`.
   * A text too long for the hints' counters gets every hint.
   */
  hintsAndMask(text: string, stateWeights: Int32Array): number {
    if (text.length > MAX_COUNTED_LENGTH) {
      this.lastMask = this.mask(text, stateWeights);
      return ALL_HINTS;
    }
    const { classes, width, next } = this;
    let state = 0;
    let mask = 0;
    let hints = 0;
    let counts = 0;
    for (let at = 0; at < text.length; at += 1) {
      const code = text.charCodeAt(at);
      if (code < 128) {
        state = next[state * width + (classes[code] as number)] as number;
        hints |= FLAGS[code] as number;
        counts += COUNTS[code] as number;
      } else {
        state = next[state * width] as number;
      }
      mask |= stateWeights[state] as number;
    }
    this.lastMask = mask;
    return withCounts(hints, counts);
  }

  /** The keywords that end at a state scan reported. */
  keywordsAt(state: number): readonly number[] {
    return this.found[state] as readonly number[];
  }
}
