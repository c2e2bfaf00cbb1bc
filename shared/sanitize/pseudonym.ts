import { createHmac } from "node:crypto";

const PREFIX = "pseu_";
const HEX_CHARS = 16;
/** Ids repeat a lot within a part, and an HMAC costs microseconds; the cap (a few MB) keeps memory flat on inputs with many distinct values. */
const CACHE_LIMIT = 100_000;

/** Keyed pseudonyms: HMAC-SHA-256 truncated to 64 bits, the same for the same key and value in every run. */
export class Pseudonymizer {
  private readonly cache = new Map<string, string>();

  constructor(private readonly key: Uint8Array) {}

  pseudonym(value: string): string {
    let result = this.cache.get(value);
    if (result === undefined) {
      result = PREFIX + createHmac("sha256", this.key).update(value, "utf8").digest().toString("hex", 0, HEX_CHARS / 2);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(value, result);
    }
    return result;
  }
}
