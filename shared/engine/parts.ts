import { PartBudgetError } from "../core/errors.js";
import type { HistogramBin, LogSource } from "../core/ports.js";
import { describeRange, type TimeRange } from "../core/time.js";

/** Upper bounds for one part query, kept well below the service's result limits. */
export interface PartBudget {
  readonly maxRows: number;
  readonly maxBytes: number;
}

export interface PlannedPart extends TimeRange {
  /** 1-based, as in `part-<index>-of-<count>`. */
  readonly index: number;
  readonly expectedRows: number;
  readonly expectedBytes: number;
  /** Too dense for any query: read by scanning instead (sources that can). */
  readonly scan?: boolean;
}

/** A measured bin; `scan` marks a slice over budget even at the finest width. */
export interface MeasuredBin extends HistogramBin {
  readonly scan?: boolean;
}

/** Bin widths tried in turn: minutes first, then seconds inside a heavy minute, then milliseconds inside a heavy second. */
export const HISTOGRAM_BIN_WIDTHS_MS: readonly number[] = [60_000, 1_000, 1];

export type FetchBins = (range: TimeRange, binMs: number) => Promise<HistogramBin[]>;

export interface MeasuredWindow {
  /** Non-overlapping bins in time order, each within the part budget unless marked for a scan. */
  readonly bins: readonly MeasuredBin[];
  readonly histogramQueries: number;
}

export interface MeasureOptions {
  /** Keep slices over budget at the finest width as scan bins instead of failing (the source can read them exactly another way). */
  readonly scanDenseSlices?: boolean;
}

function overBudget(bin: HistogramBin, budget: PartBudget): boolean {
  return bin.rows > budget.maxRows || bin.bytes > budget.maxBytes;
}

/** Measures a window with one histogram query, then one finer query per bin over the budget. */
export async function measureWindow(window: TimeRange, budget: PartBudget, fetchBins: FetchBins, options: MeasureOptions = {}): Promise<MeasuredWindow> {
  let queries = 0;
  const measure = async (range: TimeRange, level: number): Promise<MeasuredBin[]> => {
    const binMs = HISTOGRAM_BIN_WIDTHS_MS[level];
    if (binMs === undefined) throw new RangeError(`no histogram level ${level}`);
    queries += 1;
    const bins = await fetchBins(range, binMs);
    const out: MeasuredBin[] = [];
    for (const bin of bins) {
      if (!overBudget(bin, budget)) {
        out.push(bin);
      } else if (level + 1 < HISTOGRAM_BIN_WIDTHS_MS.length) {
        out.push(...(await measure(bin, level + 1)));
      } else if (options.scanDenseSlices === true) {
        out.push({ ...bin, scan: true });
      } else {
        throw new PartBudgetError(
          `window ${describeRange(window)}: the slice ${describeRange(bin)} holds ${bin.rows} rows and about ${bin.bytes} bytes, ` +
            `over the part budget of ${budget.maxRows} rows / ${budget.maxBytes} bytes even at 1 ms resolution; ` +
            `raise LOGEXPORT_PART_MAX_ROWS / LOGEXPORT_PART_MAX_BYTES (service limits: 500000 rows, 64 MB)`,
        );
      }
    }
    return out;
  };
  const bins = await measure(window, 0);
  return { bins, histogramQueries: queries };
}

/** Dense slices next to each other (empty time between them aside) are read by one scan, up to this many budgets of rows: a scan holds its rows until they are checked. */
export const SCAN_PART_BUDGETS = 10;

/**
 * Packs consecutive bins greedily into parts under the budget; consecutive scan slices share one scan part. Parts tile the
 * window exactly: the first starts at the window start, each ends where the
 * next begins, the last ends at the window end. An empty window has no parts.
 */
export function packParts(window: TimeRange, bins: readonly MeasuredBin[], budget: PartBudget): PlannedPart[] {
  const groups: { startMs: number; endMs: number; rows: number; bytes: number; scan: boolean }[] = [];
  for (const bin of bins) {
    if (bin.rows === 0) continue;
    const current = groups.at(-1);
    const joinsQuery =
      current !== undefined && !current.scan && bin.scan !== true && current.rows + bin.rows <= budget.maxRows && current.bytes + bin.bytes <= budget.maxBytes;
    const joinsScan = current?.scan && bin.scan === true && current.rows + bin.rows <= SCAN_PART_BUDGETS * budget.maxRows;
    if (current !== undefined && (joinsQuery || joinsScan)) {
      current.rows += bin.rows;
      current.bytes += bin.bytes;
      current.endMs = bin.endMs;
    } else {
      groups.push({ startMs: bin.startMs, endMs: bin.endMs, rows: bin.rows, bytes: bin.bytes, scan: bin.scan === true });
    }
  }
  // Each part starts where its first bin starts, except after a scan part, which ends with its slice; the first starts at the window.
  const starts = groups.map((group, i) => (i === 0 ? window.startMs : groups[i - 1]?.scan === true ? (groups[i - 1]?.endMs ?? group.startMs) : group.startMs));
  return groups.map((group, i) => ({
    index: i + 1,
    startMs: starts[i] ?? window.startMs,
    endMs: starts[i + 1] ?? window.endMs,
    expectedRows: group.rows,
    expectedBytes: group.bytes,
    ...(group.scan ? { scan: true } : {}),
  }));
}

/** A window's parts and what measuring it took. */
export interface WindowPlan {
  readonly measured: MeasuredWindow;
  readonly parts: readonly PlannedPart[];
}

/**
 * Measures the window on the source and packs its parts: what an export runs and what a dry run
 * reports. Slices too dense for any query become scan parts when the source can scan.
 */
export async function planWindowParts(source: LogSource, table: string, window: TimeRange, budget: PartBudget, abortSignal?: AbortSignal): Promise<WindowPlan> {
  const measured = await measureWindow(window, budget, (range, binMs) => source.histogram(table, range, binMs, { abortSignal }), {
    scanDenseSlices: source.scanPart !== undefined,
  });
  return { measured, parts: packParts(window, measured.bins, budget) };
}
