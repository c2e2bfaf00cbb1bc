const ESCAPE = /\\(?:x([0-9A-Fa-f]{2})|(["\\]))/g;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A quoted field as Apache and nginx write it back to its text: Apache escapes `"` and `\` with a
 * backslash and other bytes as `\xhh`; nginx writes `"` as `\x22` and non-ASCII bytes as `\xHH`
 * (so multi-byte characters come back whole). Text without a backslash is returned as it is.
 */
export function unescapeLogField(text: string): string {
  if (!text.includes("\\")) return text;
  const bytes: number[] = [];
  let last = 0;
  for (const m of text.matchAll(ESCAPE)) {
    bytes.push(...encoder.encode(text.slice(last, m.index)));
    bytes.push(m[1] === undefined ? (m[2] ?? "").charCodeAt(0) : Number.parseInt(m[1], 16));
    last = m.index + m[0].length;
  }
  bytes.push(...encoder.encode(text.slice(last)));
  return decoder.decode(new Uint8Array(bytes));
}
