import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidMessageError } from "../../../shared/core/errors.js";
import { decodeJob, encodeRangeJob, encodeWindowJob, MAX_JOB_MESSAGE_CHARS, type WindowJob } from "../../../shared/engine/messages.js";

const JOB: WindowJob = {
  table: "AppRequests",
  window: { startMs: Date.UTC(2026, 10, 22, 10), endMs: Date.UTC(2026, 10, 22, 11) },
  runId: "plan-1",
  reason: "scheduled",
  force: false,
};

describe("window job messages", () => {
  it("round-trip as versioned JSON, well under the queue limit once base64-encoded", () => {
    const text = encodeWindowJob(JOB);
    expect(JSON.parse(text)).toMatchObject({ v: 1, kind: "window", start: "2026-11-22T10:00:00.000Z" });
    expect(decodeJob(text)).toEqual({ kind: "window", job: JOB });
    expect(decodeJob(JSON.parse(text))).toEqual({ kind: "window", job: JOB });
    expect(Buffer.from(text).toString("base64").length).toBeLessThan(1024);
  });

  it("round-trip a backfill's coarse range job", () => {
    const job = {
      table: "AppRequests",
      range: { startMs: Date.UTC(2026, 10, 1), endMs: Date.UTC(2026, 10, 2) },
      windowMs: 15 * 60_000,
      runId: "bf-1",
      force: true,
    };
    expect(decodeJob(encodeRangeJob(job))).toEqual({ kind: "range", job });
    expect(() => decodeJob({ ...JSON.parse(encodeRangeJob(job)), windowMinutes: 7 })).toThrow(
      /"windowMinutes" must be a whole number of minutes that divides a day/,
    );
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["an array", [], /not a JSON object/],
    ["a newer version", { v: 2, kind: "window" }, /unsupported message version 2/],
    ["an unknown kind", { v: 1, kind: "day" }, /unknown message kind "day"/],
    ["a KQL injection in the table", { ...JSON.parse(encodeWindowJob(JOB)), table: "T | project secret" }, /not a valid table name/],
    ["an inverted window", { ...JSON.parse(encodeWindowJob(JOB)), start: "2026-11-22T11:00:00Z", end: "2026-11-22T10:00:00Z" }, /must be non-empty/],
    ["a local time", { ...JSON.parse(encodeWindowJob(JOB)), start: "2026-11-22T10:00:00" }, /"start" must be an ISO-8601 UTC instant/],
    ["a bad run id", { ...JSON.parse(encodeWindowJob(JOB)), runId: "a b" }, /"runId"/],
    ["a string force", { ...JSON.parse(encodeWindowJob(JOB)), force: "yes" }, /"force" must be true or false/],
    ["an oversized text", "x".repeat(MAX_JOB_MESSAGE_CHARS + 1), /over/],
  ])("rejects %s with a clear reason", (_label, message, reason) => {
    expect(() => decodeJob(message)).toThrow(InvalidMessageError);
    expect(() => decodeJob(message)).toThrow(reason);
  });

  it("never throws anything but InvalidMessageError on arbitrary input", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.string(),
          fc.record({ v: fc.constant(1), kind: fc.constant("window"), table: fc.string(), start: fc.string(), end: fc.string() }),
        ),
        (input) => {
          try {
            decodeJob(input);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidMessageError);
          }
        },
      ),
    );
  });
});
