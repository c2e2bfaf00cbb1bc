import { redactionMarker } from "../catalog.js";
import { HINT_COLONS } from "./hints.js";
import type { IpAction } from "./ipv4.js";
import type { MatchContext, TextRule } from "./rule.js";
import { rewrite } from "./rule.js";

/** The longest run that could be an IPv6 address (with an IPv4 tail); parseIpv6 decides. */
const CANDIDATE = /(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{2,39}(?:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})?(?:\/\d{1,3})?(?![\w:]|\.\d)/g;
const GROUP = /^[0-9A-Fa-f]{1,4}$/;
const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const GROUPS = 8;

function parseGroups(part: string, allowIpv4Tail: boolean): number[] | undefined {
  if (part === "") return [];
  const pieces = part.split(":");
  const groups: number[] = [];
  for (let i = 0; i < pieces.length; i += 1) {
    const piece = pieces[i] as string;
    if (allowIpv4Tail && i === pieces.length - 1 && DOTTED_QUAD.test(piece)) {
      const octets = piece.split(".").map(Number) as [number, number, number, number];
      groups.push(octets[0] * 256 + octets[1], octets[2] * 256 + octets[3]);
    } else if (GROUP.test(piece)) {
      groups.push(Number.parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** The eight 16-bit groups of an IPv6 address in any RFC 4291 text form, or undefined. */
function parseIpv6(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  if (halves.length === 1) {
    const groups = parseGroups(text, true);
    return groups?.length === GROUPS ? groups : undefined;
  }
  const head = parseGroups(halves[0] as string, false);
  const tail = parseGroups(halves[1] as string, true);
  if (head === undefined || tail === undefined || head.length + tail.length > GROUPS - 1) return undefined;
  return [...head, ...new Array<number>(GROUPS - head.length - tail.length).fill(0), ...tail];
}

/** The /48 network of an address: `2001:db8:85a3::/48`. */
function ipv6Network48(groups: readonly number[]): string {
  const kept = groups.slice(0, 3);
  while (kept.length > 0 && kept[kept.length - 1] === 0) kept.pop();
  return `${kept.map((group) => group.toString(16)).join(":")}::/48`;
}

/** Every text form has `::` or all seven colons (six before an IPv4 tail); a timestamp's two colons stop here. */
function mayHoldIpv6(text: string): boolean {
  if (text.includes("::")) return true;
  let colons = 0;
  for (let at = text.indexOf(":"); at !== -1 && colons < FULL_FORM_COLONS; at = text.indexOf(":", at + 1)) colons += 1;
  return colons >= FULL_FORM_COLONS;
}

const FULL_FORM_COLONS = 6;

export class Ipv6Rule implements TextRule {
  constructor(private readonly action: IpAction) {}

  readonly requires = HINT_COLONS;
  readonly minLength = 2;

  apply(text: string, context: MatchContext): string {
    if (!mayHoldIpv6(text)) return text;
    return rewrite(text, CANDIDATE, (match) => {
      // A colon that ends the candidate is punctuation ("from ::1: refused"), unless it closes a `::`.
      const candidate = match[0].endsWith(":") && !match[0].endsWith("::") ? match[0].slice(0, -1) : match[0];
      const slash = candidate.indexOf("/");
      const groups = parseIpv6(slash === -1 ? candidate : candidate.slice(0, slash));
      if (groups === undefined || context.allowed(candidate)) return undefined;
      context.counts.add("ipv6");
      const end = match.index + candidate.length;
      if (this.action === "mask") return { start: match.index, end, text: ipv6Network48(groups) };
      if (this.action === "remove") return { start: match.index, end, text: redactionMarker("ipv6") };
      return { start: match.index, end, text: context.pseudonym(groups.map((group) => group.toString(16)).join(":")) };
    });
  }
}
