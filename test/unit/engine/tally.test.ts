import { describe, expect, it } from "vitest";
import type { RecordTransform } from "../../../shared/core/ports.js";
import { emptyTally, transformed } from "../../../shared/engine/tally.js";
import { defaultSanitizerConfig, IdentitySanitizer, Sanitizer } from "../../../shared/sanitize/index.js";

const unparsable = (sanitizer: RecordTransform["sanitizer"]): RecordTransform => ({
  sanitizer,
  apply: (record) => ({ kind: "malformed", sample: String(record["message"]) }),
});

describe("malformed-line samples", () => {
  it("go through the sanitizer before they are kept, and are cut after it", async () => {
    const tally = emptyTally();
    const line = `pulp [x]: login by bob@example.com token ${"x".repeat(600)} password=hunter2`;
    for await (const row of transformed(
      [{ message: line }, { message: "Authorization: Bearer abcdefghijklmnop" }],
      unparsable(new Sanitizer(defaultSanitizerConfig())),
      tally,
    ))
      expect(row).toBeUndefined();
    expect(tally.malformed.count).toBe(2);
    expect(tally.malformed.samples[0]).toMatch(/^pulp \[x\]: login by \[REDACTED:email\] token x+$/);
    expect(tally.malformed.samples[0]).toHaveLength(500);
    expect(tally.malformed.samples[1]).toBe("Authorization: Bearer [REDACTED:bearer-token]");
  });

  it("stay as read when sanitizing is off", async () => {
    const tally = emptyTally();
    for await (const row of transformed([{ message: "bob@example.com" }], unparsable(new IdentitySanitizer()), tally)) expect(row).toBeUndefined();
    expect(tally.malformed.samples).toEqual(["bob@example.com"]);
  });
});
