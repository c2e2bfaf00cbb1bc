import type { CredentialRule } from "./catalog.js";

/** Key-name endings (lower case, without `-`, `_`, `.`, spaces) that mark the value as a credential; first match wins. */
const SECRET_KEY_ENDINGS: readonly (readonly [string, CredentialRule])[] = [
  ["authorization", "authorization"],
  ["cookie", "cookie"],
  ["secretaccesskey", "aws-secret-access-key"],
  ["awssecretkey", "aws-secret-access-key"],
  ["connectionstring", "connection-string"],
  ["accountkey", "azure-account-key"],
  ["sharedaccesskey", "azure-account-key"],
  ["sharedaccesssignature", "azure-account-key"],
  ["storagekey", "azure-account-key"],
  ["apikey", "api-key"],
  ["functionskey", "api-key"],
  ["subscriptionkey", "api-key"],
  ["accesskey", "api-key"],
  ["masterkey", "api-key"],
  ["hostkey", "api-key"],
  ["password", "password"],
  ["passwd", "password"],
  ["passphrase", "password"],
  ["pwd", "password"],
  ["privatekey", "private-key"],
  ["secretkey", "secret"],
  ["secret", "secret"],
  ["credentials", "secret"],
  ["credential", "secret"],
  ["token", "token"],
  ["sessionid", "session-id"],
  ["signature", "signature"],
];

/** Keys that are credentials only as a whole name (as endings they would catch `config`, `assig`, …). */
const SECRET_KEY_NAMES = new Map<string, CredentialRule>([["sig", "azure-sas-signature"]]);

const SEPARATORS = /[-_. ]/g;

/** The credential rule a key name calls for (`db_password` → `password`, `X-Api-Key` → `api-key`), or undefined. */
export function secretKeyRule(key: string): CredentialRule | undefined {
  const name = key.toLowerCase().replace(SEPARATORS, "");
  const exact = SECRET_KEY_NAMES.get(name);
  if (exact !== undefined) return exact;
  for (const [ending, rule] of SECRET_KEY_ENDINGS) if (name.endsWith(ending)) return rule;
  return undefined;
}

const SCHEME = /^(bearer|basic|digest|negotiate|ntlm|token|sharedkey|aws4-hmac-sha256)([ \t]+)/i;

/** An Authorization value's scheme, which stays readable, and the rule its credential counts under. */
export function authorizationScheme(value: string): { readonly prefix: string; readonly rule: CredentialRule } {
  const match = SCHEME.exec(value);
  if (match === null) return { prefix: "", rule: "authorization" };
  const scheme = (match[1] as string).toLowerCase();
  return { prefix: match[0], rule: scheme === "bearer" ? "bearer-token" : scheme === "basic" ? "basic-auth" : "authorization" };
}
