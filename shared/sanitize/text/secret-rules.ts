import type { CredentialPolicy } from "./credential-policy.js";
import { shannonEntropy } from "./entropy.js";
import { HINT_OPERATOR, HINT_WORD } from "./hints.js";
import { KeywordIndex } from "./keywords.js";
import type { Edit, MatchContext, TextRule } from "./rule.js";
import { rewrite } from "./rule.js";
import type { SecretRuleAllowlist, SecretRuleData } from "./secret-rule-data.js";

interface CompiledAllowlist {
  readonly target: SecretRuleAllowlist["target"];
  readonly regexes: readonly RegExp[];
  readonly stopwords: readonly string[];
}

function compileAllowlist(list: SecretRuleAllowlist): CompiledAllowlist {
  return { target: list.target, regexes: list.regexes.map((source) => new RegExp(source)), stopwords: list.stopwords };
}

/** Whether an allowlist keeps this finding: a regex finds its target, or the secret holds a stop word. */
function allows(list: CompiledAllowlist, secret: string, match: string, line: string): boolean {
  const target = list.target === "secret" ? secret : list.target === "match" ? match : line;
  if (list.regexes.some((regex) => regex.test(target))) return true;
  if (list.stopwords.length === 0) return false;
  const lower = secret.toLowerCase();
  return list.stopwords.some((word) => lower.includes(word));
}

/** A letter, a digit, `_` or `-`: what tokens are made of. */
function isTokenCharacter(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 45;
}

/**
 * Where the token holding a secret that ends at `end` ends. A pattern can stop inside a longer token
 * (slack-legacy-workspace-token takes `xoxa-0000000031` of `xoxa-0000000031-0000000000-AAAA…`), and once the
 * start is redacted no other rule sees the rest as a token: the rest is redacted with it.
 */
function tokenEnd(text: string, end: number): number {
  let at = end;
  while (at < text.length && isTokenCharacter(text.charCodeAt(at))) at += 1;
  return at;
}

/** One token format, ready to run: its pattern, the checks a finding must pass, and the name it counts under. */
export class SecretRule {
  readonly pattern: RegExp;
  /** The value alone, anchored: tried on a whole value under a key that holds one of the keywords. */
  readonly value: RegExp | undefined;
  private readonly allowlists: readonly CompiledAllowlist[];

  constructor(
    private readonly data: SecretRuleData,
    readonly family: string,
    global: CompiledAllowlist,
  ) {
    this.pattern = new RegExp(data.regex, "gd");
    this.value = data.value === undefined ? undefined : new RegExp(`^(?:${data.value})$`);
    this.allowlists = [global, ...data.allowlists.map(compileAllowlist)];
  }

  get keywords(): readonly string[] {
    return this.data.keywords;
  }

  /** The secret's span in the text, or undefined when the match holds none or a check keeps it. */
  secretOf(match: RegExpExecArray, line: string): { start: number; end: number } | undefined {
    const indices = match.indices;
    if (indices === undefined) return undefined;
    let span = this.data.secretGroup === undefined ? indices.slice(1).find((group) => group !== undefined) : indices[this.data.secretGroup];
    span ??= indices[0];
    if (span === undefined) return undefined;
    const [start, end] = span;
    return this.accepts(line.slice(start, end), match[0], line) ? { start, end } : undefined;
  }

  accepts(secret: string, match: string, line: string): boolean {
    if (secret === "") return false;
    if (this.data.entropy !== undefined && shannonEntropy(secret) <= this.data.entropy) return false;
    return !this.allowlists.some((list) => allows(list, secret, match, line));
  }
}

/** Rules whose pattern is a `<key> <operator> <value>` assignment, keyed by what a JSON key must hold for its value to be tried. */
export function valueRulesFor(key: string, rules: readonly SecretRule[]): readonly SecretRule[] {
  const lower = key.toLowerCase();
  return rules.filter((rule) => rule.value !== undefined && rule.keywords.some((keyword) => lower.includes(keyword)));
}

/** A whole value under a key holding a rule's keyword (`{"cloudflare_key": "…"}`) that has the rule's value format. */
export function replaceKeyedValue(value: string, rules: readonly SecretRule[], policy: CredentialPolicy, context: MatchContext): string | undefined {
  for (const rule of rules) {
    if (rule.value?.test(value) === true && rule.accepts(value, value, value)) return policy.replace(rule.family, value, context);
  }
  return undefined;
}

/** Compiled rule sets by the families they keep: sanitizers are made per part, the patterns only once. */
const compiledSets = new Map<string, SecretRuleSet>();

/** The rules of the public rule set whose family is on, compiled once per process for each such choice. */
export function secretRuleSet(
  data: readonly SecretRuleData[],
  global: SecretRuleAllowlist,
  familyOf: (id: string) => string,
  enabled: (family: string) => boolean,
): SecretRuleSet {
  const kept = data.filter((rule) => enabled(familyOf(rule.id)));
  const signature = kept.map((rule) => rule.id).join(" ");
  let set = compiledSets.get(signature);
  if (set === undefined) {
    const compiledGlobal = compileAllowlist(global);
    set = new SecretRuleSet(kept.map((rule) => new SecretRule(rule, familyOf(rule.id), compiledGlobal)));
    compiledSets.set(signature, set);
  }
  return set;
}

/**
 * The rule set as two text rules: the token formats, then the assignment rules (`<key> <operator> <value>`,
 * see SecretRuleData.value), which only text holding an operator's character can match. Text that merely
 * says `api` or `key` (a path, a message) then skips the assignment rules' keyword pass and patterns.
 */
export function secretTextRules(set: SecretRuleSet, policy: CredentialPolicy): SecretRulesRule[] {
  const { formats, assignments } = set.split();
  return [
    ...(formats.rules.length > 0 ? [new SecretRulesRule(formats, policy)] : []),
    ...(assignments.rules.length > 0 ? [new SecretRulesRule(assignments, policy, HINT_WORD | HINT_OPERATOR)] : []),
  ];
}

/** Rules and the index of their keywords: which rules a text can match at all. */
export class SecretRuleSet {
  private parts: { readonly formats: SecretRuleSet; readonly assignments: SecretRuleSet } | undefined;
  private readonly keywords: KeywordIndex;
  /** For each keyword, the rules that have it. */
  private readonly rulesOfKeyword: readonly (readonly number[])[];
  /** Per rule, 1 while a scan has found one of its keywords. */
  private readonly wanted: Uint8Array;
  private readonly found: number[] = [];
  private readonly onKeywordEnd = (state: number) => {
    for (const keyword of this.keywords.keywordsAt(state)) {
      for (const rule of this.rulesOfKeyword[keyword] as readonly number[]) {
        if (this.wanted[rule] === 1) continue;
        this.wanted[rule] = 1;
        this.found.push(rule);
      }
    }
  };

  constructor(readonly rules: readonly SecretRule[]) {
    const keywordList: string[] = [];
    const rulesOfKeyword: number[][] = [];
    rules.forEach((rule, index) => {
      for (const keyword of rule.keywords) {
        let at = keywordList.indexOf(keyword);
        if (at === -1) {
          at = keywordList.push(keyword) - 1;
          rulesOfKeyword.push([]);
        }
        (rulesOfKeyword[at] as number[]).push(index);
      }
    });
    this.keywords = new KeywordIndex(keywordList);
    this.rulesOfKeyword = rulesOfKeyword;
    this.wanted = new Uint8Array(rules.length);
  }

  /** The token-format rules and the assignment rules, each a set of its own; made once. */
  split(): { readonly formats: SecretRuleSet; readonly assignments: SecretRuleSet } {
    this.parts ??= {
      formats: new SecretRuleSet(this.rules.filter((rule) => rule.value === undefined)),
      assignments: new SecretRuleSet(this.rules.filter((rule) => rule.value !== undefined)),
    };
    return this.parts;
  }

  /** The rules whose keywords occur in the text, in rule-set order. */
  candidates(text: string): SecretRule[] {
    const found = this.found;
    this.keywords.scan(text, this.onKeywordEnd);
    if (found.length === 0) return [];
    found.sort((a, b) => a - b);
    const candidates = found.map((index) => this.rules[index] as SecretRule);
    for (const index of found) this.wanted[index] = 0;
    found.length = 0;
    return candidates;
  }
}

/**
 * The token formats of a public rule set over text: one pass finds the rules' keywords, and only the rules
 * whose keywords occur run their patterns; a finding that fails the rule's entropy or allowlists stays.
 */
export class SecretRulesRule implements TextRule {
  readonly minLength = 8;
  readonly keywords: readonly string[];

  constructor(
    private readonly set: SecretRuleSet,
    private readonly policy: CredentialPolicy,
    readonly requires = HINT_WORD,
  ) {
    this.keywords = [...new Set(set.rules.flatMap((rule) => rule.keywords))];
  }

  apply(text: string, context: MatchContext): string {
    let result = text;
    for (const rule of this.set.candidates(text)) {
      const input = result;
      result = rewrite(input, rule.pattern, (match) => this.edit(rule, match, input, context));
    }
    return result;
  }

  private edit(rule: SecretRule, match: RegExpExecArray, text: string, context: MatchContext): Edit | undefined {
    const span = rule.secretOf(match, text);
    if (span === undefined) return undefined;
    const end = tokenEnd(text, span.end);
    const replacement = this.policy.replace(rule.family, text.slice(span.start, end), context);
    return replacement === undefined ? undefined : { start: span.start, end, text: replacement };
  }
}
