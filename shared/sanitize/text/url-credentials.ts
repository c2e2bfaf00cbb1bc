import type { CredentialPolicy } from "./credential-policy.js";
import { HINT_AT, HINT_SEPARATOR } from "./hints.js";
import type { MatchContext, TextRule } from "./rule.js";
import { rewrite } from "./rule.js";

/** `scheme://user:password@host`: the password runs to the last `@` before the path, so an unescaped `@` in it is covered. */
const URL_CREDENTIALS = /\b[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s:/?#@"'[\]]+:([^\s/?#"']+)@/g;

export class UrlCredentialsRule implements TextRule {
  constructor(private readonly policy: CredentialPolicy) {}

  readonly requires = HINT_AT | HINT_SEPARATOR;
  readonly minLength = 10;

  apply(text: string, context: MatchContext): string {
    return rewrite(text, URL_CREDENTIALS, (match) => {
      const password = match[1] as string;
      const replacement = this.policy.replace("url-credentials", password, context);
      if (replacement === undefined) return undefined;
      const end = match.index + match[0].length - 1;
      return { start: end - password.length, end, text: replacement };
    });
  }
}
