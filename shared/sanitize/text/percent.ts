/**
 * The percent-decoded view of a value (`password%3Dhunter2`, `Authorization%3A%20Bearer%20…`,
 * `alice%40example.com`): what the detectors also read when a value holds `%XX` escapes.
 * Only escapes of ASCII characters are decoded (the syntax detectors look for is ASCII); other bytes stay.
 */

const ASCII_ESCAPE = /%[0-7][0-9A-Fa-f]/;
const ESCAPES = /%([0-7][0-9A-Fa-f])/g;

export function hasAsciiEscape(text: string): boolean {
  return text.includes("%") && ASCII_ESCAPE.test(text);
}

/** The decoded text and, for each of its positions (and its end), the position in `text` it came from. */
function decode(text: string): { readonly decoded: string; readonly origin: readonly number[] } {
  let decoded = "";
  const origin: number[] = [];
  let copied = 0;
  const copy = (end: number) => {
    for (let at = copied; at < end; at += 1) origin.push(at);
    decoded += text.slice(copied, end);
  };
  for (const match of text.matchAll(ESCAPES)) {
    copy(match.index);
    origin.push(match.index);
    decoded += String.fromCharCode(Number.parseInt(match[1] as string, 16));
    copied = match.index + match[0].length;
  }
  copy(text.length);
  origin.push(text.length);
  return { decoded, origin };
}

/**
 * `scrub` over the decoded view. When it changes something, the span from its first to its last change is
 * written as the sanitized view (decoded); the rest keeps its escapes, so an unchanged URL stays as it was.
 */
export function scrubDecodedView(text: string, scrub: (decoded: string) => string): string {
  const { decoded, origin } = decode(text);
  const sanitized = scrub(decoded);
  if (sanitized === decoded) return text;
  const shorter = Math.min(decoded.length, sanitized.length);
  let prefix = 0;
  while (prefix < shorter && decoded.charCodeAt(prefix) === sanitized.charCodeAt(prefix)) prefix += 1;
  let suffix = 0;
  while (suffix < shorter - prefix && decoded.charCodeAt(decoded.length - 1 - suffix) === sanitized.charCodeAt(sanitized.length - 1 - suffix)) suffix += 1;
  return text.slice(0, origin[prefix]) + sanitized.slice(prefix, sanitized.length - suffix) + text.slice(origin[decoded.length - suffix]);
}
