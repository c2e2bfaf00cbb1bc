/** A run of `\xhh` bytes (decoded together, so a multi-byte character comes back whole), or a backslash-escaped `"` or `\`. */
const ESCAPES = /(?:\\x[0-9A-Fa-f]{2})+|\\(["\\])/g;
const decoder = new TextDecoder();

function bytesOf(run: string): Uint8Array {
  return Uint8Array.from(run.slice(2).split("\\x"), (hex) => Number.parseInt(hex, 16));
}

/**
 * A quoted field as Apache and nginx write it back to its text: Apache escapes `"` and `\` with a
 * backslash and other bytes as `\xhh`; nginx writes `"` as `\x22` and non-ASCII bytes as `\xHH`.
 * Text without a backslash is returned as it is.
 */
export function unescapeLogField(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(ESCAPES, (run: string, quoted: string | undefined) => quoted ?? decoder.decode(bytesOf(run)));
}
