import type { RuleCounts } from "../rule-counts.js";

/** What a text rule may use while it rewrites: counting, allow-lists and pseudonyms. */
export interface MatchContext {
  readonly counts: RuleCounts;
  /** True when an allow-list keeps this matched text as it is. */
  allowed(text: string): boolean;
  pseudonym(text: string): string;
}

/**
 * One detector over text. `apply` returns the very same string when it changes nothing.
 * The gate is data, not a method, so the per-string loop makes no polymorphic call for rules that cannot match.
 */
export interface TextRule {
  /** Hints (see hints.ts) that must all be present. */
  readonly requires: number;
  /** The shortest text the rule can match. */
  readonly minLength: number;
  /** Words (any case) of which every match holds one: the rule runs only on text that has one (see KeywordGate). */
  readonly keywords?: readonly string[];
  apply(text: string, context: MatchContext): string;
}

/** Replace text[start, end) with text; end may reach past the regex match. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Runs a global regex over text, applying the edits the callback returns; allocates nothing when there are none. */
export function rewrite(text: string, pattern: RegExp, edit: (match: RegExpExecArray) => Edit | undefined): string {
  pattern.lastIndex = 0;
  let out = "";
  let copied = 0;
  let changed = false;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const change = edit(match);
    if (change === undefined) {
      if (match[0].length === 0) pattern.lastIndex += 1;
      continue;
    }
    out += text.slice(copied, change.start) + change.text;
    copied = change.end;
    changed = true;
    pattern.lastIndex = Math.max(change.end, match.index + 1);
  }
  return changed ? out + text.slice(copied) : text;
}

/** Replaces a whole match with the text the callback makes of it, unless allowed. */
export function replaceMatch(match: RegExpExecArray, context: MatchContext, rule: string, replacement: (text: string) => string): Edit | undefined {
  const text = match[0];
  if (context.allowed(text)) return undefined;
  context.counts.add(rule);
  return { start: match.index, end: match.index + text.length, text: replacement(text) };
}
