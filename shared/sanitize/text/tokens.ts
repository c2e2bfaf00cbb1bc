import type { CredentialRule } from "../catalog.js";
import type { CredentialPolicy } from "./credential-policy.js";
import { HINT_WORD } from "./hints.js";
import type { MatchContext, TextRule } from "./rule.js";
import { rewrite } from "./rule.js";

/** Well-known token shapes; the group that matched names the rule (see GROUP_RULES), a bare `Bearer` keeps its scheme. */
const TOKENS = new RegExp(
  [
    "(?<![A-Za-z0-9_-])(?:",
    "(eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*)",
    "|((?:AKIA|ASIA)[A-Z0-9]{16})",
    "|(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
    "|(glpat-[A-Za-z0-9_-]{20,})",
    "|(xox[abprs]-[A-Za-z0-9-]{10,})",
    "|((?:sk|rk)_live_[A-Za-z0-9]{10,})",
    "|(AIza[A-Za-z0-9_-]{35})",
    "|(npm_[A-Za-z0-9]{36})",
    "|(?:[Bb]earer|BEARER)[ \\t]+([A-Za-z0-9._~+/-]{8,}=*)",
    "|(?:[Bb]asic|BASIC)[ \\t]+([A-Za-z0-9+/]{4,}={0,2})",
    ")(?![A-Za-z0-9_-])",
  ].join(""),
  "g",
);

const GROUP_RULES: readonly CredentialRule[] = [
  "jwt",
  "aws-access-key-id",
  "github-token",
  "gitlab-token",
  "slack-token",
  "stripe-key",
  "google-api-key",
  "npm-token",
  "bearer-token",
  "basic-auth",
];

/** Basic credentials are base64 of `user:password`: a word after `Basic` is one only when it decodes to that (`Basic authentication` is not). */
const BASIC_CREDENTIALS = /^[\x20-\x7e]*:[\x20-\x7e]*$/;

function isBasicCredentials(text: string): boolean {
  return BASIC_CREDENTIALS.test(Buffer.from(text, "base64").toString("latin1"));
}

/** The shortest string any of the shapes above can match (`Bearer ` and eight characters). */
const MIN_LENGTH = 15;

export class TokenRule implements TextRule {
  constructor(private readonly policy: CredentialPolicy) {}

  readonly requires = HINT_WORD;
  readonly minLength = MIN_LENGTH;
  /** What every shape in TOKENS starts with. */
  readonly keywords = [
    "eyj",
    "akia",
    "asia",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxa-",
    "xoxb-",
    "xoxp-",
    "xoxr-",
    "xoxs-",
    "sk_live_",
    "rk_live_",
    "aiza",
    "npm_",
    "bearer",
    "basic",
  ];

  apply(text: string, context: MatchContext): string {
    return rewrite(text, TOKENS, (match) => {
      for (let group = 0; group < GROUP_RULES.length; group += 1) {
        const secret = match[group + 1];
        if (secret === undefined) continue;
        if (GROUP_RULES[group] === "basic-auth" && !isBasicCredentials(secret)) return undefined;
        const replacement = this.policy.replace(GROUP_RULES[group] as CredentialRule, secret, context);
        if (replacement === undefined) return undefined;
        const end = match.index + match[0].length;
        return { start: end - secret.length, end, text: replacement };
      }
      return undefined;
    });
  }
}
