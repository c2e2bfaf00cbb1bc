/**
 * The simulated workspace: N tables whose full-scale volumes add up to the daily total, held as
 * 1/scale of their rows. Every query passes the service's throttling (IdentityLimiter, the same code
 * as the wire-level fake) and takes the latency the model gives for the FULL volume it scans; the
 * rows it returns are the scaled-down ones. Exported rows carry a content key for the audit.
 */
import { SourceQueryError } from "../../shared/core/errors.js";
import type { HistogramBin, LogSource, PartStream, QueryOptions, SourceStatistics } from "../../shared/core/ports.js";
import type { Column, LogRecord } from "../../shared/core/records.js";
import { floorTo, HOUR_MS, isoInstant, type TimeRange } from "../../shared/core/time.js";
import { type IdentityLimiter, Throttled, type LatencyModel } from "../../test/helpers/service-limits.js";
import type { VirtualTime } from "./virtual-time.js";

export interface WorkspaceShape {
  readonly tables: number;
  readonly bytesPerDay: number;
  /** Bytes of one row at full scale (the histogram's estimate_data_size). */
  readonly bytesPerRow: number;
  /** Full-scale rows per simulated row. */
  readonly scale: number;
}

export interface TableShape {
  readonly name: string;
  /** Simulated rows per hour. */
  readonly rowsPerHour: number;
}

/** Sizes follow 1/sqrt(rank): the largest table holds about 2% of the volume, the smallest about 0.1%. */
export function tableShapes(shape: WorkspaceShape): TableShape[] {
  const weights = Array.from({ length: shape.tables }, (_, i) => 1 / Math.sqrt(i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w, i) => ({
    name: `T${String(i).padStart(3, "0")}_CL`,
    rowsPerHour: Math.max(1, Math.round((shape.bytesPerDay * (w / total)) / 24 / shape.bytesPerRow / shape.scale)),
  }));
}

const COLUMNS: readonly Column[] = [
  { name: "TimeGenerated", type: "datetime" },
  { name: "Key", type: "string" },
];

/** The simulated row times of one table in a range: rowsPerHour evenly spread over each hour, offset per table. */
export function rowTimes(table: TableShape, index: number, range: TimeRange): number[] {
  const times: number[] = [];
  const offset = (index * 7_919) % 60_000;
  for (let hour = floorTo(range.startMs, HOUR_MS); hour < range.endMs; hour += HOUR_MS) {
    for (let k = 0; k < table.rowsPerHour; k += 1) {
      const t = hour + ((Math.floor((k * HOUR_MS) / table.rowsPerHour) + offset) % HOUR_MS);
      if (t >= range.startMs && t < range.endMs) times.push(t);
    }
  }
  return times.sort((a, b) => a - b);
}

export function rowKey(table: string, t: number, k: number): string {
  return `${table}|${t}|${k}`;
}

export interface QueryCounters {
  queries: number;
  histograms: number;
  parts: number;
  throttled: number;
  failed: number;
  /** Full-scale bytes. */
  bytesScanned: number;
  bytesReturned: number;
  /** Milliseconds queries spent in the service's own queue. */
  queuedMs: number;
}

export interface SimulatedWorkspaceOptions {
  readonly shape: WorkspaceShape;
  readonly time: VirtualTime;
  readonly limiter: IdentityLimiter;
  readonly latency: LatencyModel;
  /** Queries in this span fail with 503 (a source outage). */
  readonly outage?: TimeRange;
}

export class SimulatedWorkspace implements LogSource {
  readonly description = "simulated:log-analytics";
  readonly tables: readonly TableShape[];
  private readonly index: Map<string, number>;
  readonly counters: QueryCounters = { queries: 0, histograms: 0, parts: 0, throttled: 0, failed: 0, bytesScanned: 0, bytesReturned: 0, queuedMs: 0 };

  constructor(private readonly options: SimulatedWorkspaceOptions) {
    this.tables = tableShapes(options.shape);
    this.index = new Map(this.tables.map((t, i) => [t.name, i]));
  }

  private table(name: string): { shape: TableShape; index: number } {
    const index = this.index.get(name);
    const shape = index === undefined ? undefined : this.tables[index];
    if (index === undefined || shape === undefined) throw new SourceQueryError(`'${name}' could not be resolved`);
    return { shape, index };
  }

  histogramQuery(table: string, range: TimeRange, binMs: number): string {
    return `${table} ${isoInstant(range.startMs)}/${isoInstant(range.endMs)} by ${binMs}`;
  }

  /** Admission, the service time of a query over `rows` simulated rows, and the time its result takes to arrive. */
  private async serve(kind: "histogram" | "part", rows: number, returnsRows: boolean): Promise<void> {
    const { time, limiter, latency, shape } = this.options;
    this.counters.queries += 1;
    if (kind === "histogram") this.counters.histograms += 1;
    else this.counters.parts += 1;
    const outage = this.options.outage;
    if (outage !== undefined && time.now() >= outage.startMs && time.now() < outage.endMs) {
      this.counters.failed += 1;
      throw new SourceQueryError(`${kind} query failed (HTTP 503): ServiceUnavailableError`, { retriable: true });
    }
    let admitted;
    try {
      admitted = await limiter.admit();
    } catch (error) {
      if (!(error instanceof Throttled)) throw error;
      this.counters.throttled += 1;
      throw new SourceQueryError(`${kind} query failed (HTTP 429): ThrottledError (${error.reason})`, {
        retriable: true,
        retryAfterMs: error.retryAfterSeconds * 1000,
      });
    }
    this.counters.queuedMs += admitted.waitedMs;
    const scanned = rows * shape.bytesPerRow * shape.scale;
    const returned = returnsRows ? scanned : 0;
    this.counters.bytesScanned += scanned;
    this.counters.bytesReturned += returned;
    try {
      await time.sleep(latency.baseMs + scanned / latency.scanBytesPerMs);
    } finally {
      admitted.release();
    }
  }

  async histogram(table: string, range: TimeRange, binMs: number, _options?: QueryOptions): Promise<HistogramBin[]> {
    const { shape, index } = this.table(table);
    const times = rowTimes(shape, index, range);
    await this.serve("histogram", times.length, false);
    const bins = new Map<number, number>();
    for (const t of times) {
      const bin = floorTo(t, binMs);
      bins.set(bin, (bins.get(bin) ?? 0) + 1);
    }
    const bytesPerRow = this.options.shape.bytesPerRow;
    return [...bins].map(([startMs, rows]) => ({
      startMs: Math.max(startMs, range.startMs),
      endMs: Math.min(startMs + binMs, range.endMs),
      rows,
      bytes: rows * bytesPerRow,
    }));
  }

  async openPart(table: string, range: TimeRange, _options?: QueryOptions): Promise<PartStream> {
    const { shape, index } = this.table(table);
    const times = rowTimes(shape, index, range);
    await this.serve("part", times.length, true);
    // The response's transfer to the worker, after the service has let go of the query.
    const { latency, shape: ws } = this.options;
    await this.options.time.sleep((times.length * ws.bytesPerRow * ws.scale) / latency.resultBytesPerMs);
    const records: LogRecord[] = times.map((t) => ({ TimeGenerated: isoInstant(t), Key: rowKey(table, t, 0) }));
    return { query: this.histogramQuery(table, range, 0), columns: COLUMNS, rows: iterate(records) };
  }

  statistics(): SourceStatistics {
    return { bytesScanned: this.counters.bytesScanned, queryIds: [] };
  }
}

async function* iterate(records: readonly LogRecord[]): AsyncGenerator<LogRecord> {
  yield* records;
}
