/** The attack classes seed 003 flags in request targets. */
export type ThreatKind = "path_traversal" | "xss" | "sql_injection" | "file_inclusion" | "command_injection";

const THREATS: ReadonlyArray<readonly [ThreatKind, RegExp]> = [
  ["path_traversal", /(?:\.\.\/|\.\.\\|\/\.\.(?:\/|$))/],
  ["xss", /<script|javascript:|onerror=|onload=/i],
  ["sql_injection", /union\s+(?:all\s+)?select|'\s*or\s+'?1'?\s*=\s*'?1|;\s*drop\s+table|information_schema/i],
  ["file_inclusion", /etc\/passwd|file:\/\/|php:\/\/|boot\.ini|win\.ini/i],
  ["command_injection", /cmd\.exe|\/bin\/(?:ba)?sh|;\s*(?:ls|cat|id|whoami)\b|\$\(|`/i],
];

const BOT = /bot\b|bot\/|crawler|spider|slurp|scrapy|python-requests|curl\/|wget\//i;

function decode(target: string): string {
  try {
    return decodeURIComponent(target.replace(/\+/g, " "));
  } catch {
    return target;
  }
}

/** The first attack class a request target matches (checked on the raw and the URL-decoded form), or null. */
export function threatOf(target: string): ThreatKind | null {
  const forms = [target, decode(target)];
  for (const [kind, pattern] of THREATS) if (forms.some((f) => pattern.test(f))) return kind;
  return null;
}

/** Crawlers and generic HTTP clients; package managers (pip, uv, poetry) are not bots. */
export function isBot(userAgent: string | null): boolean {
  return userAgent !== null && BOT.test(userAgent);
}
