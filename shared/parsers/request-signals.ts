import { isbot } from "isbot";

/** The attack classes seed 003 flags in request targets. */
export type ThreatKind = "path_traversal" | "xss" | "sql_injection" | "file_inclusion" | "command_injection";

const THREATS: ReadonlyArray<readonly [ThreatKind, RegExp]> = [
  ["path_traversal", /(?:\.\.\/|\.\.\\|\/\.\.(?:\/|$))/],
  ["xss", /<script|javascript:|onerror=|onload=/i],
  ["sql_injection", /union\s+(?:all\s+)?select|'\s*or\s+'?1'?\s*=\s*'?1|;\s*drop\s+table|information_schema/i],
  ["file_inclusion", /etc\/passwd|file:\/\/|php:\/\/|boot\.ini|win\.ini/i],
  ["command_injection", /cmd\.exe|\/bin\/(?:ba)?sh|;\s*(?:ls|cat|id|whoami)\b|\$\(|`/i],
];

/**
 * The clients a package repository serves, by product token: isbot counts every client that is not a
 * browser as a bot, and pip, uv, dnf or Maven fetching packages are Pulp's own traffic, not crawlers.
 */
const PACKAGE_CLIENTS = /^(?:pip|uv|poetry|pdm|pipenv|twine|hatch|conda|mamba|micromamba|dnf|yum|microdnf|libdnf|zypper|Apache-Maven|Gradle|sbt|Ivy)[/ ]/i;

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

/** What the isbot library (its maintained pattern list) calls a bot — crawlers, link previews, HTTP libraries, scripts — except package managers. */
export function isBot(userAgent: string | null): boolean {
  return userAgent !== null && isbot(userAgent) && !PACKAGE_CLIENTS.test(userAgent);
}
