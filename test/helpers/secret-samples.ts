import RandExp from "randexp";
import { Random } from "../../bench/sanitize-corpus.js";
import { secretFamily } from "../../shared/sanitize/catalog.js";
import { GITLEAKS_ALLOWLIST, GITLEAKS_RULES } from "../../shared/sanitize/rules/gitleaks.generated.js";
import type { SecretRuleData } from "../../shared/sanitize/text/secret-rule-data.js";
import type { SecretRule } from "../../shared/sanitize/text/secret-rules.js";
import { secretRuleSet } from "../../shared/sanitize/text/secret-rules.js";

/**
 * Samples of every rule of the public rule set, generated at test time from the rule's own pattern (so the
 * repository holds no token that looks real), kept only when the rule itself accepts them (keyword,
 * entropy, allowlists), and planted in JSON log lines in the five contexts of issue 23.
 */

export interface Sample {
  readonly rule: string;
  /** What is planted: the secret alone, or for an assignment rule `<key>=<secret>`. */
  readonly text: string;
  readonly secret: string;
  /** For an assignment rule: a key holding the rule's keyword. */
  readonly key: string | undefined;
}

const compiled = new Map<string, SecretRule>(
  secretRuleSet(GITLEAKS_RULES, GITLEAKS_ALLOWLIST, secretFamily, () => true).rules.map((rule, index) => [(GITLEAKS_RULES[index] as SecretRuleData).id, rule]),
);

/** The index where the last top-level group starts, when the source ends with one (the terminator `(?:…|$)`), else -1. */
function lastGroupStart(source: string): number {
  let depth = 0;
  let start = -1;
  for (let at = 0; at < source.length; at += 1) {
    const char = source[at];
    if (char === "\\") at += 1;
    else if (char === "[") {
      for (at += 1; at < source.length && source[at] !== "]"; at += source[at] === "\\" ? 2 : 1);
    } else if (char === "(") {
      if (depth === 0) start = at;
      depth += 1;
    } else if (char === ")") depth -= 1;
  }
  return source.endsWith("$)") || source.endsWith("\\b)") ? start : -1;
}

/** The pattern as fast-check can generate from it: no word boundaries, no terminator group, anchored. */
function generatable(source: string): RegExp {
  const cut = lastGroupStart(source);
  const body = (cut === -1 ? source : source.slice(0, cut)).replaceAll("\\b", "").replaceAll("\\B", "");
  return new RegExp(`^(?:${body})$`);
}

/** Keys as configs name them, from the rule's vendor and keywords (`lob_api_key`, `sonar_token`): the first its pattern accepts is used. */
function keyCandidates(rule: SecretRuleData): string[] {
  const parts = rule.id.split("-");
  const vendors = [1, 2, 3].map((length) => parts.slice(0, length).join("_"));
  const words = [...vendors, ...rule.keywords.map((keyword) => keyword.replace(/[^a-z0-9_]+/gi, "_").replace(/^_|_$/g, ""))];
  return words.flatMap((word) => [`${word}_api_key`, `${word}_token`, `${word}_secret`, word]);
}

/** The secret the rule finds in the planted text, when it finds exactly what was meant. */
function found(rule: SecretRule, text: string): string | undefined {
  const line = `seen ${text} here`;
  rule.pattern.lastIndex = 0;
  for (let match = rule.pattern.exec(line); match !== null; match = rule.pattern.exec(line)) {
    const span = rule.secretOf(match, line);
    if (span !== undefined) return line.slice(span.start, span.end);
  }
  return undefined;
}

const ATTEMPTS = 60;

/** Strings matching the pattern, characters drawn uniformly from each class (as real tokens are), from a seeded generator. */
function generate(source: string, count: number, seed: number): string[] {
  const random = new Random(seed);
  const generator = new RandExp(generatable(source));
  generator.max = 24;
  generator.randInt = (from, to) => from + random.int(to - from + 1);
  return Array.from({ length: count }, () => generator.gen());
}

/** `count` accepted samples of a rule (fewer when none of the attempts passes the rule's own checks). */
export function samplesOf(rule: SecretRuleData, count: number, seed: number): Sample[] {
  const secretRule = compiled.get(rule.id) as SecretRule;
  const samples: Sample[] = [];
  for (const candidate of generate(rule.value ?? rule.regex, ATTEMPTS, seed)) {
    const sample = rule.value === undefined ? whole(rule, secretRule, candidate) : assigned(rule, secretRule, candidate);
    if (sample === undefined || samples.some((other) => other.secret === sample.secret)) continue;
    samples.push(sample);
    if (samples.length === count) break;
  }
  return samples;
}

/** The rule set runs a rule only on text holding one of its keywords: a sample whose pattern does not give one is planted after it. */
function whole(rule: SecretRuleData, secretRule: SecretRule, match: string): Sample | undefined {
  const lower = match.toLowerCase();
  const keyworded =
    rule.keywords.length === 0 || rule.keywords.some((keyword) => lower.includes(keyword)) ? match : `${rule.keywords[0] as string} token ${match}`;
  // A URL the rule wants followed by its path.
  for (const text of [keyworded, `${keyworded}/`]) {
    const secret = found(secretRule, text);
    if (secret !== undefined) return { rule: rule.id, text, secret, key: undefined };
  }
  return undefined;
}

/** A value is planted after `key=` and in URLs: one with blanks or escapes would end early there. */
function assigned(rule: SecretRuleData, secretRule: SecretRule, value: string): Sample | undefined {
  if (/[\s\\&]/.test(value)) return undefined;
  const key = keyCandidates(rule).find((candidate) => found(secretRule, `${candidate}=${value}`) === value);
  return key === undefined ? undefined : { rule: rule.id, text: `${key}=${value}`, secret: value, key };
}

export const CONTEXTS = ["message value", "inside a sentence", "under a config-style key", "embedded JSON string", "URL query parameter"] as const;
export type Context = (typeof CONTEXTS)[number];

/** A JSON log line with the sample planted in one context. */
export function plant(sample: Sample, context: Context): string {
  const configKey = sample.key ?? `${sample.rule.replaceAll("-", "_").toUpperCase()}`;
  const configValue = sample.key === undefined ? sample.text : sample.secret;
  const query = sample.key === undefined ? `token=${encodeURIComponent(sample.text)}` : `${sample.key}=${encodeURIComponent(sample.secret)}`;
  const base = { level: "info", ts: "2026-11-20T10:00:00Z" };
  switch (context) {
    case "message value":
      return JSON.stringify({ ...base, message: sample.text });
    case "inside a sentence":
      return JSON.stringify({ ...base, message: `deploy step 3 failed: ${sample.text} was rejected, retrying` });
    case "under a config-style key":
      return JSON.stringify({ ...base, config: { [configKey]: configValue } });
    case "embedded JSON string":
      return JSON.stringify({
        ...base,
        log: JSON.stringify({ level: "warn", [sample.key ?? "detail"]: sample.key === undefined ? sample.text : sample.secret }),
      });
    case "URL query parameter":
      return JSON.stringify({ ...base, url: `https://api.example.com/v1/items?${query}&page=2` });
  }
}

/** Every string of a sanitized line, JSON in strings and percent-escapes decoded too: where a surviving secret would show. */
export function visibleTexts(line: string): string[] {
  const texts: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      texts.push(value);
      try {
        texts.push(decodeURIComponent(value));
      } catch {
        // Not percent-encoded text: the raw string is all there is.
      }
      if (value.startsWith("{")) {
        try {
          visit(JSON.parse(value));
        } catch {
          // Not JSON: the raw string is all there is.
        }
      }
    } else if (typeof value === "object" && value !== null) {
      for (const nested of Object.values(value)) visit(nested);
    }
  };
  visit(JSON.parse(line));
  return texts;
}
