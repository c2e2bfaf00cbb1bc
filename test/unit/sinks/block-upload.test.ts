import { describe, expect, it } from "vitest";
import { blockIdFor, blockSizeFor } from "../../../shared/sinks/blob/block-upload.js";

const MIB = 1024 * 1024;

describe("resumable Blob upload: blocks", () => {
  it("cuts 4 MiB blocks, larger ones only where 50,000 blocks would not hold the file", () => {
    expect(blockSizeFor(0)).toBe(4 * MIB);
    expect(blockSizeFor(10 * MIB)).toBe(4 * MIB);
    expect(blockSizeFor(50_000 * 4 * MIB)).toBe(4 * MIB);
    const huge = 50_000 * 4 * MIB + 1;
    expect(blockSizeFor(huge)).toBe(5 * MIB);
    expect(Math.ceil(huge / blockSizeFor(huge))).toBeLessThanOrEqual(50_000);
  });

  it("names a block by its index and bytes, every id the same length (Azure requires it)", () => {
    const a = Buffer.from("a");
    expect(blockIdFor(0, a)).toBe(blockIdFor(0, Buffer.from("a")));
    expect(blockIdFor(0, a)).not.toBe(blockIdFor(0, Buffer.from("b")));
    expect(blockIdFor(0, a)).not.toBe(blockIdFor(1, a));
    const lengths = new Set([0, 9, 12_345, 49_999].map((i) => blockIdFor(i, Buffer.alloc(i)).length));
    expect(lengths.size).toBe(1);
    expect(Buffer.from(blockIdFor(49_999, a), "base64").length).toBeLessThanOrEqual(64);
  });
});
