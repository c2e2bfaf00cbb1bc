import type { ObjectStore } from "../core/ports.js";
import { MINUTE_MS } from "../core/time.js";
import { recentRuns, type RunRecord } from "./runs.js";
import { readCoverage } from "./status.js";

/** A backfill run still exporting windows of a table another request asks for. */
export interface ActiveRun {
  readonly run: RunRecord;
  readonly table: string;
  /** The run's windows of that table that are exported or failed for good. */
  readonly finished: number;
  readonly total: number;
}

/**
 * The newest run younger than `horizonMs` with an unfinished window of one of `tables`: a window is
 * finished once exported (by this run, for a forced one) or failed; only the shared tables are read.
 */
export async function activeRunOn(state: ObjectStore, tables: readonly string[], nowMs: number, horizonMs: number): Promise<ActiveRun | undefined> {
  const runs = (await recentRuns(state, nowMs - horizonMs)).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  for (const run of runs) {
    for (const table of run.tables.filter((t) => tables.includes(t))) {
      const [coverage] = await readCoverage(state, {
        tables: [table],
        range: { startMs: Date.parse(run.start), endMs: Date.parse(run.end) },
        windowMs: run.windowMinutes * MINUTE_MS,
        nowMs,
        inProgressHorizonMs: horizonMs,
        exportedBy: run.force ? run.runId : undefined,
      });
      if (coverage === undefined) continue;
      const finished = coverage.counts.exported + coverage.counts.failed;
      if (finished < coverage.windows.length) return { run, table, finished, total: coverage.windows.length };
    }
  }
  return undefined;
}
