import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../shared/core/errors.js";
import { assertWindowSize, completeUntil, planWindows, splitRange } from "../../../shared/engine/windows.js";

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 22, 0);

describe("planning windows", () => {
  it("plans complete windows from the watermark up to now − delay", () => {
    const windows = planWindows({ fromMs: T0, nowMs: T0 + 3 * H + 25 * 60_000, windowMs: H, ingestionDelayMs: 20 * 60_000, maxWindows: 100 });
    expect(windows).toEqual([0, 1, 2].map((i) => ({ startMs: T0 + i * H, endMs: T0 + (i + 1) * H })));
  });

  it("leaves a window whose end is within the ingestion delay for the next run", () => {
    expect(planWindows({ fromMs: T0, nowMs: T0 + H + 10 * 60_000, windowMs: H, ingestionDelayMs: 20 * 60_000, maxWindows: 100 })).toEqual([]);
  });

  it("caps one run so a long outage catches up in bounded steps", () => {
    const windows = planWindows({ fromMs: T0, nowMs: T0 + 100 * H, windowMs: H, ingestionDelayMs: 0, maxWindows: 24 });
    expect(windows).toHaveLength(24);
    expect(windows.at(-1)?.endMs).toBe(T0 + 24 * H);
  });

  it("windows are aligned, contiguous and complete for any clock", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 * H }),
        fc.integer({ min: 0, max: 100 * H }),
        fc.constantFrom(5, 15, 60, 120),
        fc.integer({ min: 0, max: 120 }),
        (from, ahead, minutes, delayMinutes) => {
          const windowMs = minutes * 60_000;
          const input = { fromMs: T0 + from, nowMs: T0 + from + ahead, windowMs, ingestionDelayMs: delayMinutes * 60_000, maxWindows: 1000 };
          const windows = planWindows(input);
          windows.forEach((w, i) => {
            expect(w.startMs % windowMs).toBe(0);
            expect(w.endMs - w.startMs).toBe(windowMs);
            if (i > 0) expect(w.startMs).toBe(windows[i - 1]?.endMs);
            expect(w.endMs).toBeLessThanOrEqual(completeUntil(input.nowMs, windowMs, input.ingestionDelayMs));
          });
        },
      ),
    );
  });

  it("splits an arbitrary range at window boundaries without gaps", () => {
    const range = { startMs: T0 + 17 * 60_000, endMs: T0 + 2 * H + 5 * 60_000 };
    expect(splitRange(range, H)).toEqual([
      { startMs: range.startMs, endMs: T0 + H },
      { startMs: T0 + H, endMs: T0 + 2 * H },
      { startMs: T0 + 2 * H, endMs: range.endMs },
    ]);
  });

  it("rejects window sizes that do not tile a day", () => {
    expect(() => assertWindowSize(7 * 60_000, "test")).toThrow(ConfigurationError);
    expect(assertWindowSize(15 * 60_000, "test")).toBe(15 * 60_000);
  });
});
