import { secretKeyRule, authorizationScheme } from "../secret-keys.js";
import type { CredentialPolicy } from "./credential-policy.js";
import { HINT_WORD } from "./hints.js";
import type { Edit, MatchContext, TextRule } from "./rule.js";
import { rewrite } from "./rule.js";

/**
 * The last word of a credential-ish key (and any digits after it), then an assignment in any common syntax:
 * `=`, `:`, `:=`, `=>`, `?=` (optionally after a closing quote), `"key", "value"` as in `set("key", "value")`,
 * or blanks after a command-line flag (`--password x`, checked in edit). The whole key is read backwards
 * from the match and judged by secretKeyRule, so `db_password=`, `X-Api-Key:` and `"client_secret":` all
 * land here while `tokens=`, `spin=` and `monkey:` do not count.
 */
const KEY_VALUE =
  /(authorization|cookie|key|sig|passw(?:or)?d|passphrase|passcode|pincode|pass|pwd|pw|pin|t?otp|auth|secret|credentials?|token|signature|session[-_]?id|connection[-_]?string)\d*(?![A-Za-z0-9])(\\?["']?[ \t]*(?::{1,3}=|=>|\?=|[:=])[ \t]*|\\?["'][ \t]*,[ \t]*(?=\\?["'])|[ \t]+)/gi;
const BLANKS = /^[ \t]+$/;
/** A command-line flag starts with one or two dashes and a letter, at the start of the text or after a blank, a quote, `(` or `=`. */
const FLAG = /--?[A-Za-z]/y;
const BEFORE_FLAG = /[\s"'(=]/;

function isKeyChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 45 || code === 46 || code === 95;
}

/** Whether the key starting at `start` is a command-line flag. */
function isFlag(text: string, start: number): boolean {
  FLAG.lastIndex = start;
  return FLAG.test(text) && (start === 0 || BEFORE_FLAG.test(text[start - 1] as string));
}

function keyStart(text: string, end: number): number {
  let start = end;
  while (start > 0 && isKeyChar(text.charCodeAt(start - 1))) start -= 1;
  return start;
}

/** Index of the first character at or after `from` that is in `stops`, or the text length. */
function scanUntil(text: string, from: number, stops: string): number {
  let at = from;
  while (at < text.length && !stops.includes(text[at] as string)) at += 1;
  return at;
}

const TOKEN_STOPS = " \t\r\n\"'\\&;,";
/** `a=1; b=2` or `s=x; Path=/; HttpOnly`: pairs and attributes joined by `;`, ending at the first word that is not. */
const COOKIE = /[^\s;"'\\]+(?:;[ \t]*[^\s;"'\\]+)*/y;

function cookieEnd(text: string, start: number): number {
  COOKIE.lastIndex = start;
  return COOKIE.test(text) ? COOKIE.lastIndex : start;
}

/** Where a value starts and ends, with any quote around it left outside. */
function valueBounds(text: string, start: number, cookie: boolean): { start: number; end: number } {
  if (text.startsWith('\\"', start)) {
    const close = text.indexOf('\\"', start + 2);
    return { start: start + 2, end: close === -1 ? scanUntil(text, start + 2, "\r\n") : close };
  }
  const quote = text[start];
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, start + 1);
    return { start: start + 1, end: close === -1 ? scanUntil(text, start + 1, "\r\n") : close };
  }
  return { start, end: cookie ? cookieEnd(text, start) : scanUntil(text, start, TOKEN_STOPS) };
}

/** `password=…`, `Authorization: Bearer …`, `Cookie: …`, `"api_key": "…"`, `sig=…` in free text: only the value is replaced. */
export class KeyValueRule implements TextRule {
  constructor(private readonly policy: CredentialPolicy) {}

  readonly requires = HINT_WORD;
  readonly minLength = 4;
  /** The words KEY_VALUE starts from. */
  readonly keywords = [
    "authorization",
    "cookie",
    "key",
    "sig",
    "pass",
    "pwd",
    "pw",
    "pin",
    "otp",
    "auth",
    "secret",
    "credential",
    "token",
    "session",
    "connection",
  ];

  apply(text: string, context: MatchContext): string {
    return rewrite(text, KEY_VALUE, (match) => this.edit(text, match, context));
  }

  private edit(text: string, match: RegExpExecArray, context: MatchContext): Edit | undefined {
    const separator = match[2] as string;
    const keyEnd = match.index + match[0].length - separator.length;
    const start = keyStart(text, match.index);
    // Blanks assign only after a flag: `--password x`, not `the password is x`, nor a hyphenated fragment
    // such as what follows a redaction marker (`[REDACTED:slack-token]-0000-AAPw x`).
    if (BLANKS.test(separator) && !isFlag(text, start)) return undefined;
    const rule = secretKeyRule(text.slice(start, keyEnd));
    if (rule === undefined || !this.policy.enabled(rule)) return undefined;
    let bounds = valueBounds(text, match.index + match[0].length, rule === "cookie");
    let counted = rule;
    if (rule === "authorization" || rule === "token") {
      const scheme = authorizationScheme(text.slice(bounds.start, bounds.start + 32));
      if (scheme.prefix !== "") {
        const secretStart = bounds.start + scheme.prefix.length;
        bounds = { start: secretStart, end: bounds.end > secretStart ? bounds.end : scanUntil(text, secretStart, TOKEN_STOPS) };
        if (rule === "authorization") counted = scheme.rule;
      }
    }
    const replacement = this.policy.replace(counted, text.slice(bounds.start, bounds.end), context);
    return replacement === undefined ? undefined : { start: bounds.start, end: bounds.end, text: replacement };
  }
}
