import type { CredentialRule } from "./catalog.js";

/** Key-name endings (the key's words joined in lower case: `db_password` → `dbpassword`) that mark the value as a credential; first match wins. */
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
  ["passcode", "password"],
  ["pincode", "password"],
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

/** Short words that make a credential only as the key's last word (`user_pin`, `db_pass`, `x-auth`), never inside one (`spin`, `bypass`, `oauth`). */
const SECRET_LAST_WORDS = new Map<string, CredentialRule>([
  ["pass", "password"],
  ["pw", "password"],
  ["pin", "password"],
  ["otp", "password"],
  ["totp", "password"],
  ["auth", "authorization"],
]);

/** A key's words: camelCase humps, acronyms and runs of digits, whatever separates them (`X-Api-Key`, `clientSecret`, `APIKey2`). */
const WORD = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g;
const DIGITS = /^\d+$/;

/** The key's words in lower case, without trailing numbers (`password1`, `token_2`). */
export function keyWords(key: string): string[] {
  const words = (key.match(WORD) ?? []).map((word) => word.toLowerCase());
  while (words.length > 0 && DIGITS.test(words[words.length - 1] as string)) words.pop();
  return words;
}

/** The credential rule a key name calls for (`db_password` → `password`, `X-Api-Key` → `api-key`, `pin` → `password`), or undefined. */
export function secretKeyRule(key: string): CredentialRule | undefined {
  const words = keyWords(key);
  const name = words.join("");
  const exact = SECRET_KEY_NAMES.get(name) ?? SECRET_LAST_WORDS.get(words[words.length - 1] ?? "");
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
