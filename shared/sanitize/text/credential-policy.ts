import { isRedactionMarker, redactionMarker } from "../catalog.js";
import { authorizationScheme } from "../secret-keys.js";
import type { MatchContext } from "./rule.js";

export type CredentialAction = "redact" | "pseudonymize";

/** The configured action of every credential rule that is on: ours (CredentialRule) and the public rule set's families. */
export class CredentialPolicy {
  constructor(private readonly actions: ReadonlyMap<string, CredentialAction>) {}

  get any(): boolean {
    return this.actions.size > 0;
  }

  /** Whether a key naming this rule needs looking at; an Authorization value counts under its scheme's rule. */
  enabled(rule: string): boolean {
    if (rule === "authorization") return this.actions.has("authorization") || this.actions.has("bearer-token") || this.actions.has("basic-auth");
    return this.actions.has(rule);
  }

  /** What a secret becomes, counted; undefined when its rule is off, it is allowed, or it is already redacted. */
  replace(rule: string, secret: string, context: MatchContext): string | undefined {
    const action = this.actions.get(rule);
    if (action === undefined || secret === "" || isRedactionMarker(secret) || context.allowed(secret)) return undefined;
    context.counts.add(rule);
    return action === "pseudonymize" ? context.pseudonym(secret) : redactionMarker(rule);
  }

  /** The whole value of a credential field or header; an Authorization scheme (`Bearer `) stays readable. */
  replaceValue(rule: string, value: string, context: MatchContext): string {
    if (rule !== "authorization" && rule !== "token") return this.replace(rule, value, context) ?? value;
    const scheme = authorizationScheme(value);
    const replaced = this.replace(rule === "authorization" ? scheme.rule : rule, value.slice(scheme.prefix.length), context);
    return replaced === undefined ? value : scheme.prefix + replaced;
  }
}
