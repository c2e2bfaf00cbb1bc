import { assignmentRegex, type SecretRuleData, type StoredSecretRule } from "../../shared/sanitize/text/secret-rule-data.js";
import { goRegexToJs } from "./go-regex.js";

/** What the generator reads of gitleaks' config/gitleaks.toml. */
export interface GitleaksConfig {
  readonly allowlist: { readonly regexes?: readonly string[]; readonly stopwords?: readonly string[] };
  readonly rules: readonly GitleaksTomlRule[];
}

interface GitleaksTomlAllowlist {
  readonly condition?: string;
  readonly paths?: readonly string[];
  readonly regexTarget?: string;
  readonly regexes?: readonly string[];
  readonly stopwords?: readonly string[];
}

interface GitleaksTomlRule {
  readonly id: string;
  readonly regex?: string;
  readonly secretGroup?: number;
  readonly entropy?: number;
  readonly keywords?: readonly string[];
  readonly allowlists?: readonly GitleaksTomlAllowlist[];
}

export interface TableAllowlist {
  readonly target: "secret" | "match" | "line";
  readonly regexes: readonly string[];
  readonly stopwords: readonly string[];
}

/**
 * gitleaks ends most secrets at a quote, blank, `;` or end of line; log lines also put them in URLs, lists and
 * calls, so `&`, `,`, `)`, `]`, `}` and `>` end one too (and `&` where a blank alone does).
 */
const TERMINATOR = String.raw`(?:[\x60'"\s;]|\\[nr]|$)`;
const LOG_TERMINATORS: readonly (readonly [string, string])[] = [
  [TERMINATOR, String.raw`(?:[\x60'"\s;&,)\]}>]|\\[nr]|$)`],
  [String.raw`(?:\s|\z)`, String.raw`(?:[\s&]|\z)`],
];

/** The lazy key prefix of gitleaks' assignment rules only widens the match to the left; the secret does not depend on it. */
const KEY_PREFIX = String.raw`[\w.-]{0,50}?`;
const OPERATOR = String.raw`(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}(`;

function withoutKeyPrefix(source: string): string {
  if (source.startsWith(`(?i)${KEY_PREFIX}`)) return `(?i)${source.slice(4 + KEY_PREFIX.length)}`;
  if (source.startsWith(`${KEY_PREFIX}(?i:${KEY_PREFIX}`)) return `(?i:${source.slice(2 * KEY_PREFIX.length + 4)}`;
  return source;
}

/** The value pattern of an assignment rule (between the operator and the terminator), or undefined for other rules. */
function assignmentValue(source: string): string | undefined {
  const operator = source.indexOf(OPERATOR);
  if (operator === -1 || !source.endsWith(`)${TERMINATOR}`) || source.indexOf(OPERATOR, operator + 1) !== -1) return undefined;
  const pattern = source.slice(operator + OPERATOR.length, source.length - TERMINATOR.length - 1);
  const value = goRegexToJs(source.startsWith("(?i)") ? `(?i)${pattern}` : pattern);
  // A pattern with another alternative after the value (`…(value)…|\b(other)…`) has no value of its own.
  try {
    new RegExp(value);
    return value;
  } catch {
    return undefined;
  }
}

const translateAll = (regexes: readonly string[] | undefined) => (regexes ?? []).map(goRegexToJs);

/** Allowlists that can apply to a log line: those that need a file path never can. */
function allowlists(rule: GitleaksTomlRule): TableAllowlist[] {
  return (rule.allowlists ?? [])
    .filter((list) => (list.paths ?? []).length === 0 || (list.condition !== "AND" && ((list.regexes ?? []).length > 0 || (list.stopwords ?? []).length > 0)))
    .map((list) => ({
      target: list.regexTarget === "match" || list.regexTarget === "line" ? list.regexTarget : "secret",
      regexes: translateAll(list.regexes),
      stopwords: list.stopwords ?? [],
    }));
}

/** An assignment rule whose regex is its key pattern, the usual operator, its value and the usual end keeps only the key pattern. */
function stored(rule: Omit<SecretRuleData, "regex">, regex: string): StoredSecretRule {
  const value = rule.value;
  if (value === undefined) return { ...rule, regex };
  const key = regex.slice(0, Math.max(0, regex.length - assignmentRegex("", value).length));
  return key !== "" && assignmentRegex(key, value) === regex ? { ...rule, key, value } : { ...rule, regex };
}

/** The rules that have a pattern (path-only rules match file names, which logs do not have), translated for JavaScript. */
export function ruleTable(config: GitleaksConfig): { rules: StoredSecretRule[]; skipped: string[] } {
  const rules: StoredSecretRule[] = [];
  const skipped: string[] = [];
  for (const rule of config.rules) {
    if (rule.regex === undefined) {
      skipped.push(rule.id);
      continue;
    }
    const source = LOG_TERMINATORS.reduce((regex, [terminator, widened]) => regex.replaceAll(terminator, widened), rule.regex);
    const value = assignmentValue(rule.regex);
    const data = {
      id: rule.id,
      ...(rule.secretGroup === undefined ? {} : { secretGroup: rule.secretGroup }),
      ...(rule.entropy === undefined ? {} : { entropy: rule.entropy }),
      keywords: (rule.keywords ?? []).map((keyword) => keyword.toLowerCase()),
      ...(value === undefined ? {} : { value }),
      allowlists: allowlists(rule),
    };
    rules.push(stored(data, goRegexToJs(withoutKeyPrefix(source))));
  }
  return { rules, skipped };
}

export function globalAllowlist(config: GitleaksConfig): TableAllowlist {
  return { target: "secret", regexes: translateAll(config.allowlist.regexes), stopwords: config.allowlist.stopwords ?? [] };
}
