/**
 * `npm run bench -- scale`: the capacity simulation (docs/capacity.md). A 500-table, 1 TB/day workspace
 * under the Log Analytics query limits, on virtual time: (a) the schedule alone, (b) the schedule beside
 * a backfill, (c) a 30-minute source outage, (d) the backfill without the shared query bound. Prints
 * the figures and writes docs/capacity-scale.svg. SCALE_BACKFILL_DAYS (default 7) sets (b)'s backfill;
 * its drain time is also projected to 90 days from the measured rate. SCALE_SCENARIOS=b runs a subset
 * (no chart then).
 */
import { writeFile } from "node:fs/promises";
import { DAY_MS, HOUR_MS } from "../shared/core/time.js";
import { costPerGb, PRICES } from "./scale/cost.js";
import { scaleChart } from "./scale/chart.js";
import { nextTick, plannerMinute, runScenario, type ScenarioOptions, type ScenarioResult } from "./scale/simulate.js";
import { DEFAULT_LATENCY } from "../test/helpers/service-limits.js";

/** The latency model's constants: docs/capacity.md says where each comes from. */
const LATENCY = DEFAULT_LATENCY;

const BASE: Omit<ScenarioOptions, "name" | "maxDurationMs" | "minDurationMs" | "backfillDays"> = {
  shape: { tables: 500, bytesPerDay: 1e12, bytesPerRow: 500, scale: 20_000 },
  latency: LATENCY,
  instances: 4,
  jobsPerInstance: 6,
  maxConcurrentQueries: 4,
  startMs: Date.UTC(2026, 10, 2, 0, 30),
  writesPerObject: 3,
};

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function minutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}

function report(r: ScenarioResult): void {
  const gb = r.exportedBytes / 1e9;
  const lags = r.scheduledLag.map((s) => s.lagMs);
  const cost = costPerGb(r);
  const line = (label: string, value: string): void => void process.stdout.write(`  ${label.padEnd(34)} ${value}\n`);
  process.stdout.write(
    `\n${r.options.name}: ${(r.simulatedMs / HOUR_MS).toFixed(0)} simulated hours in ${(r.wallMs / 1000).toFixed(1)} s (${r.events.toLocaleString("en-US")} events)\n`,
  );
  line(
    "scheduled windows exported",
    `${lags.length.toLocaleString("en-US")} of ${r.scheduledDue.toLocaleString("en-US")} due; lag max ${minutes(lags.reduce((max, lag) => Math.max(max, lag), 0))}, p95 ${minutes(percentile(lags, 95))}, median ${minutes(percentile(lags, 50))}`,
  );
  if (r.options.backfillDays > 0) {
    const drained = r.backfillDrainedAfterMs;
    const outcome =
      drained === undefined
        ? "not drained within the run"
        : r.poisoned > 0
          ? `queue emptied after ${(drained / HOUR_MS).toFixed(1)} h, but ${r.poisoned.toLocaleString("en-US")} jobs went to the poison queue`
          : `drained after ${(drained / HOUR_MS).toFixed(1)} h`;
    line("backfill", `${r.backfillWindows.toLocaleString("en-US")} windows (${r.options.backfillDays} days × ${r.options.shape.tables} tables); ${outcome}`);
    if (drained !== undefined && r.poisoned === 0) {
      const perHour = r.backfillWindows / (drained / HOUR_MS);
      line(
        "backfill rate",
        `${Math.round(perHour).toLocaleString("en-US")} windows/h, ${((perHour * 24) / ((r.options.shape.tables * DAY_MS) / HOUR_MS)).toFixed(2)} days of workspace per day`,
      );
      line("90-day backfill, projected", `${((90 * r.options.shape.tables * 24) / perHour / 24).toFixed(1)} days (at the measured rate)`);
    }
  }
  line(
    "queries",
    `${r.queries.queries.toLocaleString("en-US")} (${r.queries.histograms.toLocaleString("en-US")} histograms, ${r.queries.parts.toLocaleString("en-US")} parts); ${(r.queries.queries / gb).toFixed(1)} per GB exported`,
  );
  line(
    "429s per 1,000 queries",
    `${((r.queries.throttled / r.queries.queries) * 1000).toFixed(2)} (${r.queries.throttled}); queued at the service ${(r.queries.queuedMs / 1000).toFixed(0)} s in all`,
  );
  line("failed queries (outage)", `${r.queries.failed}; failed invocations ${r.failedInvocations}, poison ${r.poisoned}, deferred backfill jobs ${r.deferred}`);
  line("planner run, longest", minutes(r.plannerMaxMs));
  line(
    "exported",
    `${(gb / 1000).toFixed(2)} TB; scanned ${(r.queries.bytesScanned / 1e12).toFixed(2)} TB (${(r.queries.bytesScanned / r.exportedBytes).toFixed(2)} × exported)`,
  );
  line(
    "storage operations",
    `${r.ops.writes.toLocaleString("en-US")} writes, ${r.ops.reads.toLocaleString("en-US")} reads, ${r.ops.lists.toLocaleString("en-US")} lists, ${r.leaseOps.toLocaleString("en-US")} lease, ${r.ops.queue.toLocaleString("en-US")} queue`,
  );
  line(
    "cost per TB exported (USD)",
    `storage ops ${(cost.storageOps * 1000).toFixed(2)} + function time ${(cost.functionTime * 1000).toFixed(2)} = ${(cost.total * 1000).toFixed(2)}; queries: Analytics 0, Basic/Auxiliary +${(cost.queriesBasic * 1000).toFixed(2)}`,
  );
  line(
    "rows audit",
    `expected ${r.audit.expected.toLocaleString("en-US")}, lost ${r.audit.lost}, duplicated ${r.audit.duplicated}, unexpected ${r.audit.unexpected}`,
  );
}

export async function benchScale(): Promise<void> {
  const days = Number(process.env.SCALE_BACKFILL_DAYS ?? "7");
  if (!Number.isInteger(days) || days < 1 || days > 90)
    throw new RangeError(`SCALE_BACKFILL_DAYS must be a whole number from 1 to 90, got ${process.env.SCALE_BACKFILL_DAYS}`);
  process.stdout.write(
    `500 tables, 1 TB/day (largest 2% of it), rows simulated at 1/${BASE.shape.scale.toLocaleString("en-US")}, latency ${LATENCY.baseMs} ms + scan at ${LATENCY.scanBytesPerMs / 1000} MB/s (slot held) + result at ${LATENCY.resultBytesPerMs / 1000} MB/s; 5 queries/identity, 200/30 s; ${BASE.instances} instances × ${BASE.jobsPerInstance} jobs per queue; LOGEXPORT_MAX_CONCURRENT_QUERIES=${BASE.maxConcurrentQueries}; prices as of ${PRICES.asOf}\n`,
  );
  const scenarios: ScenarioOptions[] = [
    { ...BASE, name: "(a) schedule alone", backfillDays: 0, minDurationMs: DAY_MS, maxDurationMs: DAY_MS },
    { ...BASE, name: `(b) schedule + ${days}-day backfill`, backfillDays: days, minDurationMs: 0, maxDurationMs: 120 * DAY_MS },
    {
      ...BASE,
      name: "(c) 30-minute source outage at the planner's minute",
      backfillDays: 0,
      minDurationMs: 12 * HOUR_MS,
      maxDurationMs: 12 * HOUR_MS,
      // From the planner's second tick: that hour's scheduled jobs meet the outage.
      outage: { afterMs: nextTick(BASE.startMs, plannerMinute()) + HOUR_MS - BASE.startMs, durationMs: 30 * 60_000 },
    },
    { ...BASE, name: `(d) as (b), no shared bound`, backfillDays: days, minDurationMs: 0, maxDurationMs: 120 * DAY_MS, sharedBound: false },
  ];
  // SCALE_SCENARIOS=b runs a subset (a 90-day (b) alone takes about 25 minutes and 10 GB of heap); the chart needs all four.
  const chosen = (process.env.SCALE_SCENARIOS ?? "a,b,c,d").split(",").map((s) => s.trim());
  const unknown = chosen.filter((s) => !["a", "b", "c", "d"].includes(s));
  if (unknown.length > 0) throw new RangeError(`SCALE_SCENARIOS takes letters from a,b,c,d separated by commas, got ${process.env.SCALE_SCENARIOS}`);
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios.filter((s) => chosen.includes(s.name.slice(1, 2)))) {
    const result = await runScenario(scenario);
    report(result);
    results.push(result);
  }
  if (results.length < scenarios.length) return;
  const svg = scaleChart(results, 80, `500 tables, 1 TB/day, ${days}-day backfill; npm run bench -- scale`);
  await writeFile(new URL("../docs/capacity-scale.svg", import.meta.url), svg);
  process.stdout.write("\n  chart: docs/capacity-scale.svg\n");
}
