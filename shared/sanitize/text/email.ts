import { redactionMarker } from "../catalog.js";
import { HINT_AT } from "./hints.js";
import type { MatchContext, TextRule } from "./rule.js";

/** Characters of a local part (`+tags`, apostrophes as in o'brien, letters of any script); it may neither start nor end with `.` or `'`. */
const LOCAL = /[\p{L}\p{M}\p{N}._%+'-]/u;
const LOCAL_EDGE = /[.']/;
const MAX_LOCAL = 64;
/** Dotted domain labels and a TLD of letters (any script, or punycode `xn--…`), not running on into a longer word. */
const DOMAIN = /(?:[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?\.)+(?:\p{L}[\p{L}\p{M}]{1,23}|xn--[a-z0-9-]{1,59})(?![\p{L}\p{M}\p{N}-])/uy;

/** Email addresses, found from each `@` outwards rather than by a regex tried at every word start. */
export class EmailRule implements TextRule {
  readonly requires = HINT_AT;
  readonly minLength = 6;

  constructor(private readonly action: "redact" | "pseudonymize") {}

  apply(text: string, context: MatchContext): string {
    let out = "";
    let copied = 0;
    for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
      let start = at;
      while (start > copied && at - start < MAX_LOCAL && LOCAL.test(text[start - 1] as string)) start -= 1;
      while (start < at && LOCAL_EDGE.test(text[start] as string)) start += 1;
      if (start === at || LOCAL_EDGE.test(text[at - 1] as string)) continue;
      DOMAIN.lastIndex = at + 1;
      if (!DOMAIN.test(text)) continue;
      const end = DOMAIN.lastIndex;
      const email = text.slice(start, end);
      if (context.allowed(email)) continue;
      context.counts.add("email");
      // Addresses are case-insensitive in practice, so one person keeps one pseudonym.
      out += text.slice(copied, start) + (this.action === "pseudonymize" ? context.pseudonym(email.toLowerCase()) : redactionMarker("email"));
      copied = end;
      at = end - 1;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }
}
