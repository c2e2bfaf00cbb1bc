import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../shared/core/logger.js";
import type { HistogramBin, LogSource, PartStream } from "../../../shared/core/ports.js";
import { DAY_MS, HOUR_MS } from "../../../shared/core/time.js";
import { limitConcurrentQueries, ProcessSlots } from "../../../shared/sources/query-slots.js";
import { hourlySource, memoryAzure } from "../../fuzz/memory-azure.js";

/** A source whose queries finish only when the test says so, counting those in flight. */
function gatedSource(): { source: LogSource; inFlight: () => number; peak: () => number; started: () => number; finishAll: () => void } {
  const waiting: (() => void)[] = [];
  let current = 0;
  let highest = 0;
  let count = 0;
  const gate = async <T>(result: T): Promise<T> => {
    current += 1;
    count += 1;
    highest = Math.max(highest, current);
    await new Promise<void>((resolve) => waiting.push(resolve));
    current -= 1;
    return result;
  };
  const source: LogSource = {
    description: "gated",
    histogramQuery: () => "histogram",
    histogram: () => gate<HistogramBin[]>([]),
    openPart: () => gate<PartStream>({ query: "part", columns: [], rows: (async function* () {})() }),
  };
  return { source, inFlight: () => current, peak: () => highest, started: () => count, finishAll: () => waiting.splice(0).forEach((go) => go()) };
}

const RANGE = { startMs: 0, endMs: HOUR_MS };
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("limitConcurrentQueries", () => {
  it("runs at most the limit at once and starts the others, in order, as slots free", async () => {
    const gated = gatedSource();
    const limited = limitConcurrentQueries(gated.source, new ProcessSlots(2));
    const calls = [
      limited.histogram("T", RANGE, HOUR_MS),
      limited.openPart("T", RANGE),
      limited.histogram("T", RANGE, HOUR_MS),
      limited.openPart("T", RANGE),
      limited.histogram("T", RANGE, HOUR_MS),
    ];
    await settle();
    expect(gated.inFlight()).toBe(2);
    expect(gated.started()).toBe(2);
    gated.finishAll();
    await settle();
    expect(gated.started()).toBe(4);
    gated.finishAll();
    await settle();
    gated.finishAll();
    await Promise.all(calls);
    expect(gated.started()).toBe(5);
    expect(gated.peak()).toBe(2);
  });

  it("frees the slot of a query that fails", async () => {
    let calls = 0;
    const failing: LogSource = {
      ...hourlySource,
      histogram: async () => {
        calls += 1;
        throw new Error("throttled");
      },
    };
    const limited = limitConcurrentQueries(failing, new ProcessSlots(1));
    await expect(limited.histogram("T", RANGE, HOUR_MS)).rejects.toThrow("throttled");
    await expect(limited.histogram("T", RANGE, HOUR_MS)).rejects.toThrow("throttled");
    expect(calls).toBe(2);
  });

  it("lets a waiting query whose signal aborts leave without taking a slot", async () => {
    const gated = gatedSource();
    const limited = limitConcurrentQueries(gated.source, new ProcessSlots(1));
    const first = limited.histogram("T", RANGE, HOUR_MS);
    const abort = new AbortController();
    const abandoned = limited.openPart("T", RANGE, { abortSignal: abort.signal });
    const third = limited.histogram("T", RANGE, HOUR_MS);
    abort.abort(new Error("run cancelled"));
    await expect(abandoned).rejects.toThrow("run cancelled");
    gated.finishAll();
    await first;
    await settle();
    expect(gated.started()).toBe(2);
    gated.finishAll();
    await third;
  });

  it("refuses a limit below one", () => {
    expect(() => limitConcurrentQueries(hourlySource, new ProcessSlots(0))).toThrow(RangeError);
  });
});

describe("the Azure export's queries", () => {
  it("stay within LOGEXPORT_MAX_CONCURRENT_QUERIES however many windows run at once", async () => {
    for (const limit of [1, 3]) {
      let current = 0;
      let peak = 0;
      const counted = async <T>(query: () => Promise<T>): Promise<T> => {
        current += 1;
        peak = Math.max(peak, current);
        await new Promise((resolve) => setTimeout(resolve, 5));
        try {
          return await query();
        } finally {
          current -= 1;
        }
      };
      const source: LogSource = {
        ...hourlySource,
        histogram: (table, range, binMs) => counted(() => hourlySource.histogram(table, range, binMs)),
        openPart: (table, range) => counted(() => hourlySource.openPart(table, range)),
      };
      const azure = memoryAzure({ now: () => 10 * DAY_MS }, { LOGEXPORT_MAX_CONCURRENT_QUERIES: String(limit) }, source);
      const windows = Array.from({ length: 6 }, (_, i) => ({
        table: "Heartbeat",
        window: { startMs: DAY_MS + i * HOUR_MS, endMs: DAY_MS + (i + 1) * HOUR_MS },
        runId: "r",
        reason: "manual" as const,
        force: false,
      }));
      const outcomes = await Promise.all(windows.map((job) => azure.exporter.exportWindow(job, silentLogger)));
      expect(outcomes).toHaveLength(6);
      expect(peak, `limit ${limit}`).toBe(limit);
    }
  });
});
