import { ConfigurationError } from "../core/errors.js";
import type { DetectorAction } from "./catalog.js";
import {
  BUILT_IN_RULES,
  CREDENTIAL_RULES,
  CUSTOM_ACTIONS,
  DETECTOR_FAMILIES,
  FIELD_ACTIONS,
  SECRET_RULE_FAMILIES,
  detectorActions,
  familyOf,
  isDetectorFamily,
  secretFamily,
} from "./catalog.js";
import type { SanitizerConfig } from "./config.js";
import { detectorAction } from "./config.js";
import { KeyNodes } from "./key-nodes.js";
import type { CompiledFieldRule } from "./key-nodes.js";
import { parseKeyPathPattern } from "./key-path.js";
import { CardRule } from "./text/card.js";
import { ConnectionStringRule } from "./text/connection-string.js";
import type { CredentialAction } from "./text/credential-policy.js";
import { CredentialPolicy } from "./text/credential-policy.js";
import { CustomTextRule } from "./text/custom.js";
import { EmailRule } from "./text/email.js";
import { Ipv4Rule } from "./text/ipv4.js";
import { Ipv6Rule } from "./text/ipv6.js";
import { KeyValueRule } from "./text/key-value.js";
import { PrivateKeyRule } from "./text/private-key.js";
import type { TextRule } from "./text/rule.js";
import type { SecretRuleSet } from "./text/secret-rules.js";
import { secretRuleSet, secretTextRules, valueRulesFor } from "./text/secret-rules.js";
import { TokenRule } from "./text/tokens.js";
import { GITLEAKS_ALLOWLIST, GITLEAKS_RULES } from "./rules/gitleaks.generated.js";
import { UrlCredentialsRule } from "./text/url-credentials.js";

/** A config turned into the objects the walk uses. */
export interface CompiledConfig {
  /** In the order they run: custom rules, credentials, email, card, IPv6, IPv4. */
  readonly textRules: readonly TextRule[];
  /** Custom rules exist, so every string runs the text rules, even one too short or too plain (a timestamp) for a built-in match. */
  readonly alwaysRunText: boolean;
  readonly credentials: CredentialPolicy;
  /** The card rule when it is on: it also judges integers held as JSON numbers. */
  readonly card: CardRule | undefined;
  readonly keyNodes: KeyNodes;
  readonly allowValues: ReadonlySet<string>;
  readonly allowPatterns: readonly RegExp[];
  /** Rules (built-in, field and custom names) that pseudonymize and so need the HMAC key. */
  readonly pseudonymizing: readonly string[];
  /** What becomes of values under keys that name a user; undefined when that rule is off. */
  readonly identifiers: IdentifierAction | undefined;
}

/** `auto`: pseudonymize when an HMAC key is configured, redact when none is. */
export type IdentifierAction = "auto" | "pseudonymize" | "redact";

const CUSTOM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CUSTOM_FLAGS = /^(?!.*(.).*\1)[imsu]*$/;

export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Circular (a YAML alias to its own parent) or too deep to write: say what it is, not what it holds.
    text = Array.isArray(value) ? "a list" : typeof value === "object" && value !== null ? "an object" : String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A RegExp, or a problem for `problems` naming the path and the source. */
function compilePattern(pattern: string, flags: string, path: string, problems: string[]): RegExp | undefined {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    problems.push(`${path}: ${describeValue(pattern)} is not a valid regular expression (${(error as Error).message})`);
    return undefined;
  }
}

function builtInActions(config: SanitizerConfig, problems: string[]): Map<string, DetectorAction> {
  for (const [name, action] of Object.entries(config.detectors)) {
    const allowed = detectorActions(name);
    if (allowed === undefined)
      problems.push(`detectors.${name}: unknown detector (families: ${Object.keys(DETECTOR_FAMILIES).join(", ")}; or a rule name such as jwt, ipv6)`);
    else if (!(allowed as readonly string[]).includes(action as string))
      problems.push(`detectors.${name}: ${describeValue(action)} is not one of ${allowed.join(", ")}`);
  }
  const actions = new Map<string, DetectorAction>();
  for (const rule of BUILT_IN_RULES) actions.set(rule, detectorAction(config.detectors, rule));
  return actions;
}

function fieldRules(config: SanitizerConfig, problems: string[]): { rules: CompiledFieldRule[]; patterns: (readonly string[])[] } {
  const rules: CompiledFieldRule[] = [];
  const patterns: (readonly string[])[] = [];
  const seen = new Set<string>();
  config.fieldRules.forEach((rule, index) => {
    const segments = parseKeyPathPattern(rule.path);
    if (typeof segments === "string") problems.push(`fieldRules[${index}].path: ${describeValue(rule.path)} ${segments}`);
    else if (seen.has(segments.join("."))) problems.push(`fieldRules[${index}].path: ${describeValue(rule.path)} repeats an earlier rule's path`);
    else seen.add(segments.join("."));
    if (!(FIELD_ACTIONS as readonly string[]).includes(rule.action))
      problems.push(`fieldRules[${index}].action: ${describeValue(rule.action)} is not one of ${FIELD_ACTIONS.join(", ")}`);
    rules.push({ name: `field:${rule.path}`, action: rule.action });
    patterns.push(typeof segments === "string" ? [] : segments);
  });
  return { rules, patterns };
}

function customRules(config: SanitizerConfig, problems: string[]): CustomTextRule[] {
  const rules: CustomTextRule[] = [];
  const names = new Set<string>();
  config.customRules.forEach((rule, index) => {
    const path = `customRules[${index}]`;
    if (!CUSTOM_NAME.test(rule.name)) problems.push(`${path}.name: ${describeValue(rule.name)} must be 1–64 letters, digits, '.', '_' or '-'`);
    else if (isDetectorFamily(rule.name) || familyOf(rule.name) !== undefined || names.has(rule.name))
      problems.push(`${path}.name: ${describeValue(rule.name)} is already a rule name`);
    names.add(rule.name);
    if (!(CUSTOM_ACTIONS as readonly string[]).includes(rule.action))
      problems.push(`${path}.action: ${describeValue(rule.action)} is not one of ${CUSTOM_ACTIONS.join(", ")}`);
    if (rule.replacement !== undefined && rule.action !== "redact")
      problems.push(`${path}.replacement: only a redact rule takes a replacement (action is ${describeValue(rule.action)})`);
    const flags = rule.flags ?? "";
    if (!CUSTOM_FLAGS.test(flags)) problems.push(`${path}.flags: ${describeValue(flags)} may only combine i, m, s and u`);
    const pattern = compilePattern(rule.pattern, `${CUSTOM_FLAGS.test(flags) ? flags : ""}g`, `${path}.pattern`, problems);
    if (pattern?.test("")) problems.push(`${path}.pattern: ${describeValue(rule.pattern)} matches the empty string`);
    if (pattern !== undefined) rules.push(new CustomTextRule(rule.name, pattern, rule.action, rule.replacement));
  });
  return rules;
}

function credentialActions(actions: ReadonlyMap<string, DetectorAction>): Map<string, CredentialAction> {
  const result = new Map<string, CredentialAction>();
  for (const rule of [...CREDENTIAL_RULES, ...SECRET_RULE_FAMILIES]) {
    const action = actions.get(rule);
    if (action === "redact" || action === "pseudonymize") result.set(rule, action);
  }
  return result;
}

function detectorTextRules(actions: ReadonlyMap<string, DetectorAction>, credentials: CredentialPolicy, secretRules: SecretRuleSet): TextRule[] {
  const rules: TextRule[] = [];
  if (credentials.enabled("private-key")) rules.push(new PrivateKeyRule(credentials));
  if (credentials.enabled("connection-string")) rules.push(new ConnectionStringRule(credentials));
  if (credentials.enabled("url-credentials")) rules.push(new UrlCredentialsRule(credentials));
  // The public rule set's formats first, so a vendor's token counts under its rule even where a credential key names it too.
  rules.push(...secretTextRules(secretRules, credentials));
  if (credentials.any) rules.push(new KeyValueRule(credentials), new TokenRule(credentials));
  const email = actions.get("email");
  if (email === "redact" || email === "pseudonymize") rules.push(new EmailRule(email));
  const card = actions.get("card");
  if (card === "redact" || card === "mask" || card === "pseudonymize") rules.push(new CardRule(card));
  const ipv6 = actions.get("ipv6");
  if (ipv6 === "mask" || ipv6 === "pseudonymize" || ipv6 === "remove") rules.push(new Ipv6Rule(ipv6));
  const ipv4 = actions.get("ipv4");
  if (ipv4 === "mask" || ipv4 === "pseudonymize" || ipv4 === "remove") rules.push(new Ipv4Rule(ipv4));
  return rules;
}

/** Checks a config and builds its rules; every problem names its config path, all in one ConfigurationError. */
export function compileSanitizerConfig(config: SanitizerConfig, source: string): CompiledConfig {
  const problems: string[] = [];
  const compiled = compileRules(config, problems);
  if (compiled === undefined) throw new ConfigurationError(`${source}: invalid sanitizer config:\n  - ${problems.join("\n  - ")}`);
  return compiled;
}

/** The problems compileSanitizerConfig would report, as `path: description` lines. */
export function sanitizerConfigProblems(config: SanitizerConfig): string[] {
  const problems: string[] = [];
  compileRules(config, problems);
  return problems;
}

function compileRules(config: SanitizerConfig, problems: string[]): CompiledConfig | undefined {
  if (config.version !== 1) problems.push(`version: ${describeValue(config.version)} is not a supported version (1)`);
  const actions = builtInActions(config, problems);
  const fields = fieldRules(config, problems);
  const custom = customRules(config, problems);
  const allowPaths = config.allow.paths.map((path, index) => {
    const segments = parseKeyPathPattern(path);
    if (typeof segments !== "string") return segments;
    problems.push(`allow.paths[${index}]: ${describeValue(path)} ${segments}`);
    return [];
  });
  const allowPatterns = config.allow.patterns.map((pattern, index) => compilePattern(pattern, "", `allow.patterns[${index}]`, problems));
  if (problems.length > 0) return undefined;

  const credentials = new CredentialPolicy(credentialActions(actions));
  const user = actions.get("user");
  const identifiers = user === "auto" || user === "pseudonymize" || user === "redact" ? user : undefined;
  const secretRules = secretRuleSet(GITLEAKS_RULES, GITLEAKS_ALLOWLIST, secretFamily, (family) => credentials.enabled(family));
  const textRules = [...custom, ...detectorTextRules(actions, credentials, secretRules)];
  const pseudonymizing = [
    ...[...actions].filter(([, action]) => action === "pseudonymize").map(([rule]) => rule),
    ...fields.rules.filter((rule) => rule.action === "pseudonymize").map((rule) => rule.name),
    ...config.customRules.filter((rule) => rule.action === "pseudonymize").map((rule) => rule.name),
  ];
  return {
    textRules,
    alwaysRunText: custom.length > 0,
    credentials,
    card: textRules.find((rule): rule is CardRule => rule instanceof CardRule),
    keyNodes: new KeyNodes(fields.rules, fields.patterns, allowPaths, {
      secretEnabled: (rule) => credentials.enabled(rule),
      identifiers: identifiers !== undefined,
      valueRules: (key) => valueRulesFor(key, secretRules.rules),
    }),
    allowValues: new Set(config.allow.values),
    allowPatterns: allowPatterns.filter((pattern): pattern is RegExp => pattern !== undefined),
    pseudonymizing,
    identifiers,
  };
}
