import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PartBudgetError } from "../../../shared/core/errors.js";
import type { HistogramBin } from "../../../shared/core/ports.js";
import type { TimeRange } from "../../../shared/core/time.js";
import { measureWindow, packParts, SCAN_PART_BUDGETS, type PartBudget } from "../../../shared/engine/parts.js";

const HOUR = { startMs: Date.UTC(2026, 10, 22, 10), endMs: Date.UTC(2026, 10, 22, 11) };

/** A source of truth for tests: one timestamp (ms) per row, bytes per row constant. */
function binsFrom(times: readonly number[], bytesPerRow: number) {
  return async (range: TimeRange, binMs: number): Promise<HistogramBin[]> => {
    const counts = new Map<number, number>();
    for (const t of times)
      if (t >= range.startMs && t < range.endMs) counts.set(Math.floor(t / binMs) * binMs, (counts.get(Math.floor(t / binMs) * binMs) ?? 0) + 1);
    return [...counts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([start, rows]) => ({ startMs: Math.max(start, range.startMs), endMs: Math.min(start + binMs, range.endMs), rows, bytes: rows * bytesPerRow }));
  };
}

const rowTimes = fc.array(
  fc.oneof(
    fc.integer({ min: HOUR.startMs, max: HOUR.endMs - 1 }),
    // bursts: many rows in one second or one millisecond
    fc.integer({ min: 0, max: 59 }).map((minute) => HOUR.startMs + minute * 60_000 + 17_000),
    fc.constant(HOUR.startMs + 42 * 60_000 + 5_123),
  ),
  { maxLength: 400 },
);
const budgets = fc.record({ maxRows: fc.integer({ min: 1, max: 120 }), maxBytes: fc.integer({ min: 100, max: 20_000 }) });

describe("planning parts from a histogram", () => {
  it("parts tile the window exactly, never overlap, stay under budget and hold every row", async () => {
    await fc.assert(
      fc.asyncProperty(rowTimes, budgets, async (times, budget: PartBudget) => {
        const fetch = binsFrom(times, 100);
        let measured;
        try {
          measured = await measureWindow(HOUR, budget, fetch);
        } catch (error) {
          // Only legitimate when one millisecond alone is over budget.
          expect(error).toBeInstanceOf(PartBudgetError);
          const perMs = new Map<number, number>();
          for (const t of times) perMs.set(t, (perMs.get(t) ?? 0) + 1);
          expect([...perMs.values()].some((n) => n > budget.maxRows || n * 100 > budget.maxBytes)).toBe(true);
          return;
        }
        const parts = packParts(HOUR, measured.bins, budget);
        if (times.length === 0) {
          expect(parts).toEqual([]);
          return;
        }
        expect(parts[0]?.startMs).toBe(HOUR.startMs);
        expect(parts.at(-1)?.endMs).toBe(HOUR.endMs);
        parts.forEach((part, i) => {
          expect(part.index).toBe(i + 1);
          expect(part.endMs).toBeGreaterThan(part.startMs);
          if (i > 0) expect(part.startMs).toBe(parts[i - 1]?.endMs);
          expect(part.expectedRows).toBeLessThanOrEqual(budget.maxRows);
          expect(part.expectedBytes).toBeLessThanOrEqual(budget.maxBytes);
          expect(part.expectedRows).toBe(times.filter((t) => t >= part.startMs && t < part.endMs).length);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("with scans allowed, dense slices become scan parts and the tiling stays exact", async () => {
    await fc.assert(
      fc.asyncProperty(rowTimes, budgets, async (times, budget: PartBudget) => {
        const measured = await measureWindow(HOUR, budget, binsFrom(times, 100), { scanDenseSlices: true });
        const parts = packParts(HOUR, measured.bins, budget);
        if (times.length === 0) return;
        expect(parts[0]?.startMs).toBe(HOUR.startMs);
        expect(parts.at(-1)?.endMs).toBe(HOUR.endMs);
        parts.forEach((part, i) => {
          if (i > 0) expect(part.startMs).toBe(parts[i - 1]?.endMs);
          expect(part.endMs).toBeGreaterThan(part.startMs);
          expect(part.expectedRows).toBe(times.filter((t) => t >= part.startMs && t < part.endMs).length);
          // A scan part exists only for a millisecond no query may hold; it may stretch over empty time to keep the tiling.
          if (part.scan === true) expect(part.expectedRows > budget.maxRows || part.expectedBytes > budget.maxBytes).toBe(true);
          else expect(part.expectedRows).toBeLessThanOrEqual(budget.maxRows);
          // Neighbouring dense slices share one scan (FilterLogEvents pages through both) until the scan cap.
          const before = parts[i - 1];
          if (part.scan === true && before?.scan === true) expect(before.expectedRows + part.expectedRows).toBeGreaterThan(SCAN_PART_BUDGETS * budget.maxRows);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("issues one histogram query, plus one finer query per over-budget bin", async () => {
    const times = [
      ...Array.from({ length: 50 }, (_, i) => HOUR.startMs + 3 * 60_000 + i * 1000),
      ...Array.from({ length: 30 }, (_, i) => HOUR.startMs + 7 * 60_000 + 2_000 + (i % 10)),
      HOUR.startMs + 30 * 60_000,
    ];
    const calls: number[] = [];
    const fetch = binsFrom(times, 10);
    const measured = await measureWindow(HOUR, { maxRows: 20, maxBytes: 1e9 }, async (range, binMs) => {
      calls.push(binMs);
      return fetch(range, binMs);
    });
    // minute 3 (50 rows) and minute 7 (30 rows) are refined to seconds; second 7:02 (30 rows) to milliseconds.
    expect(calls).toEqual([60_000, 1_000, 1_000, 1]);
    expect(measured.histogramQueries).toBe(4);
  });

  it("fails loudly, naming the slice and counts, when one millisecond exceeds the budget", async () => {
    const times = Array.from({ length: 25 }, () => HOUR.startMs + 5_000);
    await expect(measureWindow(HOUR, { maxRows: 10, maxBytes: 1e9 }, binsFrom(times, 1))).rejects.toThrow(/2026-11-22T10:00:05\.000Z.*25 rows/);
  });
});
