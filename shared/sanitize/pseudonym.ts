import { hash } from "node:crypto";
import { detached } from "./detached.js";

const PREFIX = "pseu_";
const HEX_CHARS = 16;
/**
 * Ids repeat a lot within a part, and an HMAC costs microseconds. Two generations of this many entries
 * (about 13 MB each when full): when the newer fills up it becomes the older and the older is dropped, so ids
 * still in use survive the turnover and memory stays flat on inputs with many distinct values. Measured on
 * 500,000 lines with 183,000 distinct ids: 65,536 entries a generation hashed 301,000 times and, with the
 * garbage collector's cost of turning big maps over, took longer than no cache at all; 131,072 hashed
 * 198,000 times in 35 % less time than no cache.
 */
const GENERATION = 131_072;

/** SHA-256's block size: HMAC pads the key to it (RFC 2104). */
const BLOCK = 64;
const DIGEST = 32;
const INNER_PAD = 0x36;
const OUTER_PAD = 0x5c;
/** UTF-8 takes at most three bytes per UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * HMAC-SHA-256 as two one-shot hashes over pre-padded keys (RFC 2104): about twice as fast per value as
 * createHmac, which builds a key object and two hash contexts each time.
 */
class HmacSha256 {
  private inner: Buffer;
  private readonly outer = Buffer.alloc(BLOCK + DIGEST);

  constructor(key: Uint8Array) {
    const padded = Buffer.alloc(BLOCK);
    padded.set(key.length > BLOCK ? hash("sha256", key, "buffer") : key);
    this.inner = Buffer.alloc(BLOCK + 256);
    for (let i = 0; i < BLOCK; i += 1) {
      this.inner[i] = (padded[i] as number) ^ INNER_PAD;
      this.outer[i] = (padded[i] as number) ^ OUTER_PAD;
    }
  }

  /** The first `bytes` bytes of the MAC of `value` (UTF-8), in hex. */
  hex(value: string, bytes: number): string {
    if (BLOCK + value.length * MAX_UTF8_PER_UNIT > this.inner.length) this.grow(value.length * MAX_UTF8_PER_UNIT);
    const length = this.inner.write(value, BLOCK, "utf8");
    this.outer.set(hash("sha256", this.inner.subarray(0, BLOCK + length), "buffer"), BLOCK);
    return hash("sha256", this.outer, "buffer").toString("hex", 0, bytes);
  }

  private grow(valueBytes: number): void {
    const inner = Buffer.alloc(BLOCK + valueBytes);
    this.inner.copy(inner, 0, 0, BLOCK);
    this.inner = inner;
  }
}

/** Keyed pseudonyms: HMAC-SHA-256 truncated to 64 bits, the same for the same key and value in every run. */
export class Pseudonymizer {
  private newer = new Map<string, string>();
  private older = new Map<string, string>();
  private readonly hmac: HmacSha256;

  constructor(key: Uint8Array) {
    this.hmac = new HmacSha256(key);
  }

  pseudonym(value: string): string {
    let result = this.newer.get(value);
    if (result !== undefined) return result;
    result = this.older.get(value) ?? PREFIX + this.hmac.hex(value, HEX_CHARS / 2);
    if (this.newer.size >= GENERATION) {
      this.older = this.newer;
      this.newer = new Map();
    }
    this.newer.set(detached(value), result);
    return result;
  }
}
