import type { ObjectStore } from "../core/ports.js";
import { DAY_MS, floorTo, isoInstant, type TimeRange } from "../core/time.js";
import { manifestNamesIn, newestManifestEndMs } from "./manifest-index.js";
import { ledgerDayPrefix, manifestName, watermarkName } from "./naming.js";
import { parseLedger, type LedgerEntry } from "./ledger.js";
import { parseManifest } from "./manifest.js";
import { recentRuns } from "./runs.js";
import { splitRange } from "./windows.js";

export const WINDOW_STATES = ["exported", "in-progress", "failed", "missing"] as const;
export type WindowState = (typeof WINDOW_STATES)[number];

export interface WindowStatus {
  readonly start: string;
  readonly end: string;
  readonly state: WindowState;
  readonly rows?: number;
  readonly bytes?: number;
  readonly runId?: string;
  /** The last failure's error class and message, for failed windows. */
  readonly error?: string;
}

export interface TableCoverage {
  readonly table: string;
  readonly counts: Readonly<Record<WindowState, number>>;
  readonly rows: number;
  readonly bytes: number;
  /** End of the table's newest exported window (in the range or the last LAG_LOOKBACK_DAYS days), and how far behind now it is. */
  readonly newestExported: string | null;
  readonly lagSeconds: number | null;
  readonly windows: readonly WindowStatus[];
}

export interface CoverageQuery {
  readonly tables: readonly string[];
  readonly range: TimeRange;
  readonly windowMs: number;
  readonly nowMs: number;
  /** Windows without a manifest count as in progress while a run that covers them is younger than this. */
  readonly inProgressHorizonMs: number;
  /** Count a window as exported only once this run has exported it (a forced run re-exports windows that already have a manifest). */
  readonly exportedBy?: string;
}

/** How far back from today the newest manifest is looked for, for the lag. */
export const LAG_LOOKBACK_DAYS = 7;

function days(range: TimeRange): number[] {
  return splitRange({ startMs: floorTo(range.startMs, DAY_MS), endMs: range.endMs }, DAY_MS).map((d) => d.startMs);
}

interface LedgerView {
  /** The newest line per (table, window start). */
  readonly latest: Map<string, LedgerEntry>;
  /** The newest `complete` line of run `runId` per (table, window start). */
  readonly completedBy: Map<string, LedgerEntry>;
}

/** Each day's ledgers (one per table, or one for the day as older versions wrote), each read once. */
async function readLedger(state: ObjectStore, range: TimeRange, runId: string | undefined): Promise<LedgerView> {
  const view: LedgerView = { latest: new Map(), completedBy: new Map() };
  const names: string[] = [];
  for (const day of days(range)) for await (const name of state.list(ledgerDayPrefix(day))) names.push(name);
  const texts = await Promise.all(names.map(async (name) => (await state.readText(name))?.text ?? ""));
  // Lines of one window can sit in an old day file and a new table file: the newest finish wins.
  const entries = texts.flatMap((text) => parseLedger(text)).sort((a, b) => (a.finishedAt < b.finishedAt ? -1 : a.finishedAt > b.finishedAt ? 1 : 0));
  for (const entry of entries) {
    const key = `${entry.table}|${entry.windowStart}`;
    view.latest.set(key, entry);
    if (entry.status === "complete" && entry.runId === runId) view.completedBy.set(key, entry);
  }
  return view;
}

async function watermarkMs(state: ObjectStore, table: string): Promise<number> {
  const found = await state.readText(watermarkName(table));
  const value = found === undefined ? undefined : (JSON.parse(found.text) as { watermark?: unknown }).watermark;
  return typeof value === "string" ? Date.parse(value) : Number.NEGATIVE_INFINITY;
}

/**
 * Coverage from the state container alone: a manifest means exported (with
 * `exportedBy`, a complete ledger line of that run); else the newest ledger
 * line tells a failure; else a recent run or the planner's watermark covering
 * the window means in progress; else missing.
 */
export async function readCoverage(state: ObjectStore, query: CoverageQuery): Promise<TableCoverage[]> {
  const ledger = await readLedger(state, query.range, query.exportedBy);
  const since = query.nowMs - query.inProgressHorizonMs;
  const runs = await recentRuns(state, since);
  const coverage: TableCoverage[] = [];
  for (const table of query.tables) {
    const manifests = query.exportedBy === undefined ? await manifestNamesIn(state, table, query.range) : new Set<string>();
    const planned = await watermarkMs(state, table);
    const counts: Record<WindowState, number> = { exported: 0, "in-progress": 0, failed: 0, missing: 0 };
    let rows = 0;
    let bytes = 0;
    let newest: number | null = null;
    const windows: WindowStatus[] = [];
    for (const window of splitRange(query.range, query.windowMs)) {
      const start = isoInstant(window.startMs);
      const end = isoInstant(window.endMs);
      const entry = ledger.latest.get(`${table}|${start}`);
      const mine = ledger.completedBy.get(`${table}|${start}`);
      let status: WindowStatus;
      if (query.exportedBy === undefined ? manifests.has(manifestName(table, window)) : mine !== undefined) {
        const complete = mine ?? (entry?.status === "complete" ? entry : undefined);
        const manifest = complete === undefined ? parseManifest((await state.readText(manifestName(table, window)))?.text ?? "") : undefined;
        status = {
          start,
          end,
          state: "exported",
          rows: complete?.rows ?? manifest?.exportedRows ?? 0,
          bytes: complete?.bytes ?? manifest?.bytes ?? 0,
          runId: complete?.runId ?? manifest?.runId ?? "",
        };
        rows += status.rows ?? 0;
        bytes += status.bytes ?? 0;
        newest = Math.max(newest ?? window.endMs, window.endMs);
      } else if (entry?.status === "failed") {
        status = { start, end, state: "failed", runId: entry.runId, error: entry.error };
      } else {
        const covered =
          runs.some((r) => r.tables.includes(table) && Date.parse(r.start) <= window.startMs && window.endMs <= Date.parse(r.end)) ||
          (window.endMs <= planned && window.endMs > since);
        status = { start, end, state: covered ? "in-progress" : "missing" };
      }
      counts[status.state] += 1;
      windows.push(status);
    }
    const recent = await newestManifestEndMs(state, table, query.nowMs, LAG_LOOKBACK_DAYS);
    if (recent !== undefined) newest = Math.max(newest ?? recent, recent);
    coverage.push({
      table,
      counts,
      rows,
      bytes,
      newestExported: newest === null ? null : isoInstant(newest),
      lagSeconds: newest === null ? null : Math.round((query.nowMs - newest) / 1000),
      windows,
    });
  }
  return coverage;
}
