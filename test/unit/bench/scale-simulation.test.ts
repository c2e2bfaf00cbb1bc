/**
 * Under the service's simulated limits, a backfill beside the schedule: the scheduled windows keep their
 * lag under the ingestion delay plus one window, the backfill drains, and every row of every window is
 * in storage exactly once (row keys, as the chaos suite's row hashes). Virtual time: a few seconds.
 */
import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS } from "../../../shared/core/time.js";
import { runScenario, type ScenarioOptions } from "../../../bench/scale/simulate.js";

const SCENARIO: ScenarioOptions = {
  name: "test",
  // 120 tables at the per-table volumes of a 1 TB/day, 500-table workspace.
  shape: { tables: 120, bytesPerDay: (1e12 * 120) / 500, bytesPerRow: 500, scale: 20_000 },
  latency: { baseMs: 500, scanBytesPerMs: 1_000_000, resultBytesPerMs: 50_000 },
  instances: 3,
  jobsPerInstance: 6,
  maxConcurrentQueries: 4,
  startMs: Date.UTC(2026, 10, 2, 0, 30),
  minDurationMs: 6 * HOUR_MS,
  maxDurationMs: 10 * DAY_MS,
  backfillDays: 3,
  writesPerObject: 3,
};

describe("a backfill beside the schedule, under the service's limits", () => {
  it("keeps every scheduled window within ingestion delay + one window, drains, and loses or duplicates no row", async () => {
    const result = await runScenario(SCENARIO);
    const lagLimitMs = 20 * 60_000 + HOUR_MS;
    expect(result.scheduledDue).toBeGreaterThanOrEqual(120 * 6);
    expect(result.scheduledLag.length).toBe(result.scheduledDue);
    expect(Math.max(...result.scheduledLag.map((s) => s.lagMs))).toBeLessThanOrEqual(lagLimitMs);
    expect(result.backfillDrainedAfterMs).toBeDefined();
    expect(result.backfillProgress.at(-1)?.windows).toBeGreaterThan(0.9 * result.backfillWindows);
    expect(result.queries.throttled).toBe(0);
    expect(result.poisoned).toBe(0);
    expect(result.audit.expected).toBeGreaterThan(50_000);
    expect(result.audit).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
  }, 120_000);

  it("without the shared bound, the same instances overrun the identity's 5 queries and meet 429s and failed jobs", async () => {
    const result = await runScenario({ ...SCENARIO, backfillDays: 1, minDurationMs: 2 * HOUR_MS, sharedBound: false });
    // Queries wait in the service's queue past its 3 minutes, or find it full: refused, retried, and jobs fail.
    expect(result.queries.throttled).toBeGreaterThan(0);
    expect(result.failedInvocations).toBeGreaterThan(0);
  }, 120_000);
});
