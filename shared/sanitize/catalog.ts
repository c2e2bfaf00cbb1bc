import { GITLEAKS_RULES } from "./rules/gitleaks.generated.js";

/** Built-in detector rules: the names they count under and the actions each family accepts. */

export const CREDENTIAL_RULES = [
  "private-key",
  "connection-string",
  "url-credentials",
  "authorization",
  "bearer-token",
  "basic-auth",
  "cookie",
  "api-key",
  "password",
  "secret",
  "token",
  "session-id",
  "signature",
  "aws-access-key-id",
  "aws-secret-access-key",
  "azure-account-key",
  "azure-sas-signature",
  "jwt",
  "github-token",
  "gitlab-token",
  "slack-token",
  "stripe-key",
  "google-api-key",
  "npm-token",
] as const;

export const DETECTOR_FAMILIES = {
  email: { rules: ["email"], actions: ["redact", "pseudonymize", "off"], defaultAction: "redact" },
  card: { rules: ["card"], actions: ["redact", "mask", "pseudonymize", "off"], defaultAction: "redact" },
  ip: { rules: ["ipv4", "ipv6"], actions: ["mask", "pseudonymize", "remove", "off"], defaultAction: "mask" },
  credentials: { rules: CREDENTIAL_RULES, actions: ["redact", "pseudonymize", "off"], defaultAction: "redact" },
  /** Fields that name a user (`user_id`, `upn`, `email`, …): `auto` pseudonymizes with a key and redacts without one. */
  identifiers: { rules: ["user"], actions: ["auto", "pseudonymize", "redact", "off"], defaultAction: "auto" },
} as const;

export type DetectorFamily = keyof typeof DETECTOR_FAMILIES;
export type DetectorRule = (typeof DETECTOR_FAMILIES)[DetectorFamily]["rules"][number];
export type CredentialRule = (typeof CREDENTIAL_RULES)[number];
export type DetectorAction = (typeof DETECTOR_FAMILIES)[DetectorFamily]["actions"][number];

export const FIELD_ACTIONS = ["drop", "redact", "mask", "pseudonymize"] as const;
export type FieldAction = (typeof FIELD_ACTIONS)[number];

export const CUSTOM_ACTIONS = ["redact", "mask", "pseudonymize"] as const;
export type CustomAction = (typeof CUSTOM_ACTIONS)[number];

/** gitleaks rules for token formats we already named count under our name (`github-pat` as `github-token`). */
const SECRET_FAMILY_OF_RULE = new Map<string, CredentialRule>([
  ["jwt", "jwt"],
  ["jwt-base64", "jwt"],
  ["aws-access-token", "aws-access-key-id"],
  ["stripe-access-token", "stripe-key"],
  ["gcp-api-key", "google-api-key"],
  ["npm-access-token", "npm-token"],
  ["private-key", "private-key"],
]);
const SECRET_FAMILY_PREFIXES: readonly (readonly [string, CredentialRule])[] = [
  ["github-", "github-token"],
  ["gitlab-", "gitlab-token"],
  ["slack-", "slack-token"],
];

/** The name a secret rule of the public rule set counts under (and is configured by): ours for a format we named, else its own id. */
export function secretFamily(id: string): string {
  return SECRET_FAMILY_OF_RULE.get(id) ?? SECRET_FAMILY_PREFIXES.find(([prefix]) => id.startsWith(prefix))?.[1] ?? id;
}

/** The names of the public rule set's families that are not among ours: credentials rules too, configurable one by one. */
export const SECRET_RULE_FAMILIES: readonly string[] = [...new Set(GITLEAKS_RULES.map((rule) => secretFamily(rule.id)))].filter(
  (name) => !(CREDENTIAL_RULES as readonly string[]).includes(name),
);

/** Every built-in rule name, in catalog order. */
export const BUILT_IN_RULES: readonly string[] = [
  ...Object.values(DETECTOR_FAMILIES).flatMap((spec): readonly string[] => spec.rules),
  ...SECRET_RULE_FAMILIES,
];

const FAMILY_OF = new Map<string, DetectorFamily>();
for (const [family, spec] of Object.entries(DETECTOR_FAMILIES) as [DetectorFamily, (typeof DETECTOR_FAMILIES)[DetectorFamily]][]) {
  for (const rule of spec.rules) FAMILY_OF.set(rule, family);
}
for (const rule of SECRET_RULE_FAMILIES) FAMILY_OF.set(rule, "credentials");

export function isDetectorFamily(name: string): name is DetectorFamily {
  return Object.hasOwn(DETECTOR_FAMILIES, name);
}

/** The family a rule name belongs to, or undefined for a name that is no built-in rule. */
export function familyOf(rule: string): DetectorFamily | undefined {
  return FAMILY_OF.get(rule);
}

/** Actions a `detectors` entry may take: a family's own, or its family's for a single rule. */
export function detectorActions(name: string): readonly DetectorAction[] | undefined {
  const family = isDetectorFamily(name) ? name : familyOf(name);
  return family === undefined ? undefined : DETECTOR_FAMILIES[family].actions;
}

export function redactionMarker(rule: string): string {
  return `[REDACTED:${rule}]`;
}

/** A whole marker this sanitizer writes (rule names, `field:<path>`); text that merely starts like one is not. */
const MARKER = /^\[REDACTED:[\w.:*-]+\]$/;

export function isRedactionMarker(text: string): boolean {
  return MARKER.test(text);
}
