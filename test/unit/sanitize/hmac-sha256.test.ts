import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HmacSha256 } from "../../../shared/sanitize/hmac-sha256.js";

const reference = (key: Uint8Array, value: string) => createHmac("sha256", key).update(value, "utf8").digest("hex");

describe("HmacSha256 from precomputed states", () => {
  it("equals node:crypto's HMAC-SHA-256 for every message length across the block boundaries, with short, block-sized and long keys", () => {
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      const hmac = new HmacSha256(key);
      for (let length = 0; length <= 300; length += 1) {
        const value = "x".repeat(length);
        expect(hmac.hex(value, 32), `key ${keyLength} B, value ${length} B`).toBe(reference(key, value));
      }
    }
  });

  it("hashes the UTF-8 of any string, lone surrogates as U+FFFD as node:crypto does", () => {
    const key = randomBytes(32);
    const hmac = new HmacSha256(key);
    const values = ["ü", "名前@例え.jp", "😀".repeat(20), "\ud800", "a\udfffb", "\u0000", "é".repeat(1000)];
    for (let i = 0; i < 2000; i += 1) values.push(String.fromCharCode(...Array.from(randomBytes(1 + (i % 90)), (b) => b * ((i % 7) + 1) * 37)));
    for (const value of values) expect(hmac.hex(value, 32)).toBe(reference(key, value));
  });

  it("truncates to the bytes asked for", () => {
    const key = Buffer.alloc(32, 7);
    expect(new HmacSha256(key).hex("u-51947", 8)).toBe(reference(key, "u-51947").slice(0, 16));
  });
});
