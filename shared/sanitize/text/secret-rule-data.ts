/** A token format of a public rule set (gitleaks' default rules, see rules/gitleaks.generated.ts) as data. */
export interface SecretRuleData {
  readonly id: string;
  /** JavaScript regular expression source, no flags. */
  readonly regex: string;
  /** The group holding the secret; default: the first group that matched, else the whole match. */
  readonly secretGroup?: number;
  /** The secret's Shannon entropy (bits per character) must exceed this. */
  readonly entropy?: number;
  /** Lower case; the rule runs only on text that holds one of them. */
  readonly keywords: readonly string[];
  /** For `<key with a keyword> <operator> <value>` rules: the value alone, tried on a whole value under a key holding a keyword. */
  readonly value?: string;
  readonly allowlists: readonly SecretRuleAllowlist[];
}

/** A secret is allowed when any regex finds a match in its target, or the secret holds a stop word. */
export interface SecretRuleAllowlist {
  readonly target: "secret" | "match" | "line";
  readonly regexes: readonly string[];
  readonly stopwords: readonly string[];
}
