import { createHmac } from "node:crypto";

const PREFIX = "pseu_";
const HEX_CHARS = 16;
/**
 * Ids repeat a lot within a part, and an HMAC costs microseconds. Two generations of this many entries
 * (a few MB each): when the newer fills up it becomes the older and the older is dropped, so ids still in
 * use survive the turnover and memory stays flat on inputs with many distinct values.
 */
const GENERATION = 65_536;

/** Keyed pseudonyms: HMAC-SHA-256 truncated to 64 bits, the same for the same key and value in every run. */
export class Pseudonymizer {
  private newer = new Map<string, string>();
  private older = new Map<string, string>();

  constructor(private readonly key: Uint8Array) {}

  pseudonym(value: string): string {
    let result = this.newer.get(value);
    if (result !== undefined) return result;
    result = this.older.get(value) ?? PREFIX + createHmac("sha256", this.key).update(value, "utf8").digest().toString("hex", 0, HEX_CHARS / 2);
    if (this.newer.size >= GENERATION) {
      this.older = this.newer;
      this.newer = new Map();
    }
    this.newer.set(value, result);
    return result;
  }
}
