import { describe, expect, it } from "vitest";
import { partSizeFor } from "../../../shared/sinks/s3/resumable-upload.js";

const MIB = 1024 * 1024;

describe("partSizeFor", () => {
  it("is S3's smallest part, 5 MiB, up to 10,000 of them", () => {
    expect(partSizeFor(0)).toBe(5 * MIB);
    expect(partSizeFor(11 * MIB)).toBe(5 * MIB);
    expect(partSizeFor(10_000 * 5 * MIB)).toBe(5 * MIB);
  });

  it("grows by whole MiB so a larger file still fits in 10,000 parts", () => {
    const size = 10_000 * 5 * MIB + 1;
    expect(partSizeFor(size)).toBe(6 * MIB);
    expect(Math.ceil(size / partSizeFor(size))).toBeLessThanOrEqual(10_000);
    const huge = 5 * 1024 ** 4; // 5 TiB, S3's largest object
    expect(Math.ceil(huge / partSizeFor(huge))).toBeLessThanOrEqual(10_000);
  });
});
