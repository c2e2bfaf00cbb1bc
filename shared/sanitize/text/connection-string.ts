import type { CredentialPolicy } from "./credential-policy.js";
import { HINT_SEMICOLON, HINT_SEPARATOR } from "./hints.js";
import type { MatchContext, TextRule } from "./rule.js";

/** A value that is nothing but two or more `Key=value` pairs joined by `;` (storage, Service Bus, SQL connection strings). */
const CONNECTION_STRING = /^\s*(?:[A-Za-z][\w .-]*=[^;]*;)+\s*[A-Za-z][\w .-]*=[^;]*;?\s*$/;
const HOLDS_SECRET = /(?:^|;)\s*(?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)\s*=/i;

/** A whole connection string that carries a key or password becomes one marker; in prose, key-value catches the secret alone. */
export class ConnectionStringRule implements TextRule {
  constructor(private readonly policy: CredentialPolicy) {}

  readonly requires = HINT_SEMICOLON | HINT_SEPARATOR;
  readonly minLength = 8;

  apply(text: string, context: MatchContext): string {
    if (!HOLDS_SECRET.test(text) || !CONNECTION_STRING.test(text)) return text;
    return this.policy.replace("connection-string", text, context) ?? text;
  }
}
