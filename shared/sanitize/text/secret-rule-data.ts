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

/** What stands between the key and the value in every assignment rule of gitleaks' generator: blanks, quotes, an operator. */
const ASSIGNMENT_OPERATOR = String.raw`(?:[ \t\w.\-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}(`;
/** What ends their value in a log line (see scripts/gitleaks/rule-table.ts). */
const ASSIGNMENT_END = String.raw`)(?:[\x60'"\s;&,)\]}>]|\\[nrNR]|$)`;

/**
 * A rule as the generated table stores it: an assignment rule of the usual shape as its key pattern and value
 * alone (`key`), its regex rebuilt at load; the table is about 14 KB smaller for it.
 */
export type StoredSecretRule = Omit<SecretRuleData, "regex"> & ({ readonly regex: string } | { readonly key: string; readonly value: string });

/** The regex of an assignment rule of the usual shape, from its key pattern and value pattern. */
export function assignmentRegex(key: string, value: string): string {
  return key + ASSIGNMENT_OPERATOR + value + ASSIGNMENT_END;
}

export function secretRules(stored: readonly StoredSecretRule[]): SecretRuleData[] {
  return stored.map((rule) => {
    if ("regex" in rule) return rule;
    const { key, ...data } = rule;
    return { ...data, regex: assignmentRegex(key, rule.value) };
  });
}
