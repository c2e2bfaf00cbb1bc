import { redactionMarker } from "../catalog.js";
import { HINT_DOTTED_QUAD } from "./hints.js";
import type { MatchContext, TextRule } from "./rule.js";
import { replaceMatch, rewrite } from "./rule.js";

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";

/**
 * A dotted quad with an optional prefix length. Not after a word, a dot or
 * `name/` (so `v1.2.3.4`, `1.2.3.4.5` and `Chrome/120.0.0.0` stay), but
 * after `//` (a URL host) or a separator.
 */
const IPV4 = new RegExp(`(?<![\\w.])(?<![\\w.-]/)(${OCTET})\\.(${OCTET})\\.${OCTET}\\.${OCTET}(?:/\\d{1,2})?(?![\\w]|\\.\\d)`, "g");

export type IpAction = "mask" | "pseudonymize" | "remove";

export class Ipv4Rule implements TextRule {
  constructor(private readonly action: IpAction) {}

  readonly requires = HINT_DOTTED_QUAD;
  readonly minLength = 7;

  apply(text: string, context: MatchContext): string {
    return rewrite(text, IPV4, (match) =>
      replaceMatch(match, context, "ipv4", (address) => {
        if (this.action === "mask") return `${match[1]}.${match[2]}.0.0/16`;
        if (this.action === "remove") return redactionMarker("ipv4");
        const slash = address.indexOf("/");
        return context.pseudonym(slash === -1 ? address : address.slice(0, slash));
      }),
    );
  }
}
