import type { CredentialPolicy } from "./credential-policy.js";
import { HINT_DASH } from "./hints.js";
import type { MatchContext, TextRule } from "./rule.js";
import { rewrite } from "./rule.js";

/** A PEM private key body between its armor lines; a block cut off before its END line is redacted to the end. */
const PEM = /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)([\s\S]*?)(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

export class PrivateKeyRule implements TextRule {
  constructor(private readonly policy: CredentialPolicy) {}

  readonly requires = HINT_DASH;
  readonly minLength = 60;

  apply(text: string, context: MatchContext): string {
    return rewrite(text, PEM, (match) => {
      const body = match[2] as string;
      const replacement = this.policy.replace("private-key", body, context);
      if (replacement === undefined) return undefined;
      const start = match.index + (match[1] as string).length;
      return { start, end: start + body.length, text: replacement };
    });
  }
}
