/** Deterministic 32-bit hashing (murmur3 finaliser) for the procedural test datasets. */

export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hash3(a: number, b: number, c: number): number {
  let h = fmix(a ^ 0x9e3779b9);
  h = fmix(h ^ Math.imul(b | 0, 0xcc9e2d51) ^ Math.floor(b / 0x1_0000_0000));
  return fmix(h ^ Math.imul(c | 0, 0x1b873593));
}

export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i += 1) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** 8 hex digits; a byte table because Number#toString(16) dominated row generation. */
export function hex8(n: number): string {
  return `${HEX_BYTE[n >>> 24]}${HEX_BYTE[(n >>> 16) & 255]}${HEX_BYTE[(n >>> 8) & 255]}${HEX_BYTE[n & 255]}`;
}
