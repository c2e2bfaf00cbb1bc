/**
 * A deterministic, procedurally generated Log Analytics table for tests, the
 * local demo and benchmarks. Nothing is materialised: counts come from
 * arithmetic on `rowsInMinute`, rows are generated on demand from
 * (table, minute, index), so a million-row hour costs O(1) memory.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../shared/core/time.js";
import { hash3, hashString, hex8 } from "./deterministic-hash.js";

export type SyntheticColumnType = "string" | "datetime" | "long" | "int" | "real" | "bool" | "dynamic" | "guid" | "timespan" | "decimal";

export interface SyntheticColumn {
  name: string;
  type: SyntheticColumnType;
  /** Optional values for a string column (picked deterministically); default: a pool of JSON-escaping hazards. */
  pool?: readonly string[];
  /** One row in seven holds an edge value of the type instead (null, empty, minimum and maximum, NaN, deep nesting), as the service writes it. */
  extremes?: boolean;
}

/** Edge values of each type, as the API's JSON carries them (non-finite reals as strings, longs as digits). */
const EXTREMES: Readonly<Record<SyntheticColumnType, readonly SyntheticValue[]>> = {
  string: [null, "", "\u0000", '😀 "quoted" \\ back', "x".repeat(5_000)],
  datetime: [null, "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "1969-12-31T23:59:59.9999999Z", "1970-01-01T00:00:00.0000001Z"],
  long: [null, -(2n ** 63n), 2n ** 63n - 1n, 0, -1],
  int: [null, -2_147_483_648, 2_147_483_647, 0],
  real: [null, "NaN", "Infinity", "-Infinity", Number.MAX_VALUE, -Number.MIN_VALUE, 0],
  bool: [null, true, false],
  dynamic: [null, "null", "{}", "[]", `{"id":${2n ** 63n - 1n},"neg":${-(2n ** 63n)}}`, `${"[".repeat(40)}1${"]".repeat(40)}`, '"just a string"'],
  guid: [null, "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"],
  timespan: [null, "00:00:00", "-10675199.02:48:05.4775808", "10675199.02:48:05.4775807", "00:00:00.0000001"],
  decimal: [null, "0", "-79228162514264337593543950335", "79228162514264337593543950335", "0.0000000000000000000000000001"],
};

export interface SyntheticTableSpec {
  name: string;
  /** The first column MUST be TimeGenerated (datetime). */
  columns: SyntheticColumn[];
  /** Rows whose TimeGenerated falls in the minute starting at minuteStartMs (epoch ms, minute-aligned). */
  rowsInMinute(minuteStartMs: number): number;
  /** Estimated bytes per row reported by estimate_data_size. */
  bytesPerRow: number;
}

/** A JSON-ready cell; bigint is a `long` beyond 2^53 and must be written as raw digits (see encodeRow). */
export type SyntheticValue = string | number | boolean | bigint | null;
export type SyntheticRow = SyntheticValue[];

export interface HistogramCount {
  /** Bin start (epoch ms), floored like KQL `bin(TimeGenerated, width)`. */
  binStartMs: number;
  rows: number;
}

/** 100-ns ticks: the service's datetime precision. */
export const TICKS_PER_MS = 10_000;
const TICKS_PER_MINUTE = MINUTE_MS * TICKS_PER_MS;
/** KQL datetimes count ticks from 0001-01-01, so `bin` floors relative to that instant. */
const KQL_EPOCH_OFFSET_MS = 62_135_596_800_000;

/** `2026-11-22T10:00:00.1234567Z`: the service's datetime format (always 7 fractional digits). */
export function formatTimeGenerated(ms: number, extraTicks = 0): string {
  const minuteStart = Math.floor(ms / MINUTE_MS) * MINUTE_MS;
  return formatInMinute(minutePrefix(minuteStart), (ms - minuteStart) * TICKS_PER_MS + extraTicks);
}

/** A histogram bin start: `2026-11-22T10:17:00Z`, with 7 fractional digits only when the bin is not whole seconds. */
export function formatBinStart(ms: number): string {
  return ms % 1_000 === 0 ? `${new Date(ms).toISOString().slice(0, 19)}Z` : formatTimeGenerated(ms);
}

/** One row as JSON text; bigint cells are written as plain integer digits, like the service does. */
export function encodeRow(row: readonly SyntheticValue[]): string {
  if (!row.some((v) => typeof v === "bigint")) return JSON.stringify(row); // one native call is much faster
  let out = "[";
  for (let i = 0; i < row.length; i += 1) {
    if (i > 0) out += ",";
    const v = row[i];
    out += typeof v === "bigint" ? v.toString() : v === undefined ? "null" : JSON.stringify(v);
  }
  return `${out}]`;
}

function minutePrefix(minuteStartMs: number): string {
  return new Date(minuteStartMs).toISOString().slice(0, 17); // "YYYY-MM-DDTHH:MM:"
}

function formatInMinute(prefix: string, tickInMinute: number): string {
  const second = Math.floor(tickInMinute / 10_000_000);
  const fraction = tickInMinute - second * 10_000_000;
  return `${prefix}${second < 10 ? "0" : ""}${second}.${String(fraction).padStart(7, "0")}Z`;
}

function guidFrom(seed: number, salt: number): string {
  const a = hex8(hash3(seed, salt, 1));
  const b = hex8(hash3(seed, salt, 2));
  const c = hex8(hash3(seed, salt, 3));
  const d = hex8(hash3(seed, salt, 4));
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${"89ab"[c.charCodeAt(0) & 3]}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
}

// ---- value pools ----

/** Strings that exercise JSON escaping and UTF-8: quotes, backslashes, newlines, accents, CJK, astral emoji, ANSI. */
const HAZARD_STRINGS: readonly string[] = [
  "GET /api/items/42 completed",
  'He said "hello" and left',
  "C:\\logs\\app\\out.txt not found",
  "café crème — é à ü",
  "日本語のログメッセージ",
  "line one\nline two\r\nline three",
  "tab\tseparated\tvalues",
  "rocket 🚀 launched",
  "",
  "x",
  '{"looks":"like json"}',
  "</script><b>bold</b> & more",
  "\u001b[31mred\u001b[0m ansi",
  "trailing backslash \\",
  "Ünïcödé ünd ßpäß",
];
const FILLER = " lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".repeat(8);
const TAGS: readonly string[] = ['["a","b"]', '["é"]', '["日本"]', "[]", '["x\\"y"]'];

const BIG_LONG = 9_007_199_254_740_993n; // 2^53 + 1: the first integer a double cannot hold

interface LateRow {
  readonly ms: number;
  readonly minuteStartMs: number;
  readonly tick: number;
  /** Negative: keeps late rows' seeds apart from the regular rows of the same minute. */
  readonly j: number;
  readonly itemId: string;
}

export class SyntheticTable {
  readonly name: string;
  readonly columns: readonly SyntheticColumn[];
  readonly bytesPerRow: number;
  private readonly rowsInMinuteFn: (minuteStartMs: number) => number;
  private readonly seed: number;
  private readonly late: LateRow[] = [];

  constructor(spec: SyntheticTableSpec) {
    const first = spec.columns[0];
    if (first === undefined || first.name !== "TimeGenerated" || first.type !== "datetime") {
      throw new Error(`${spec.name}: the first column must be TimeGenerated (datetime)`);
    }
    this.name = spec.name;
    this.columns = spec.columns.map((c) => ({ ...c }));
    this.bytesPerRow = spec.bytesPerRow;
    this.rowsInMinuteFn = spec.rowsInMinute;
    this.seed = hashString(spec.name);
  }

  /** Regular (not late) rows in the minute; validated so a bad spec fails loudly. */
  rowsInMinute(minuteStartMs: number): number {
    const n = this.rowsInMinuteFn(minuteStartMs);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${this.name}: rowsInMinute(${minuteStartMs}) returned ${n}`);
    return n;
  }

  /** Exact row count in [startMs, endMs), late rows included. */
  rowsIn(startMs: number, endMs: number): number {
    checkRange(startMs, endMs);
    let total = 0;
    for (let m = floorMinute(startMs); m < endMs; m += MINUTE_MS) {
      const count = this.rowsInMinute(m);
      if (count === 0) continue;
      total += rowsBefore(Math.min(endMs, m + MINUTE_MS) - m, count) - rowsBefore(Math.max(startMs, m) - m, count);
    }
    return total + this.lateIndex(endMs) - this.lateIndex(startMs);
  }

  /** Non-empty bins of `bin(TimeGenerated, binMs)` over the rows in [startMs, endMs), ordered by bin start. */
  histogram(startMs: number, endMs: number, binMs: number): HistogramCount[] {
    checkRange(startMs, endMs);
    if (!Number.isSafeInteger(binMs) || binMs <= 0) throw new RangeError(`bin width must be a positive whole number of ms, got ${binMs}`);
    const regular: HistogramCount[] = [];
    const add = (bins: HistogramCount[], binStartMs: number, rows: number): void => {
      const last = bins.at(-1);
      if (last !== undefined && last.binStartMs === binStartMs) last.rows += rows;
      else bins.push({ binStartMs, rows });
    };
    for (let m = floorMinute(startMs); m < endMs; m += MINUTE_MS) {
      const count = this.rowsInMinute(m);
      if (count === 0) continue;
      const hi = Math.min(endMs, m + MINUTE_MS) - m;
      const jEnd = rowsBefore(hi, count);
      // Jump from bin to bin through the rows: O(non-empty bins), never O(rows).
      for (let j = rowsBefore(Math.max(startMs, m) - m, count); j < jEnd; ) {
        const rowMs = m + Math.floor(tickOf(j, count) / TICKS_PER_MS);
        const bin = binFloor(rowMs, binMs);
        const next = rowsBefore(Math.min(bin + binMs - m, hi), count);
        add(regular, bin, next - j);
        j = next;
      }
    }
    const late: HistogramCount[] = [];
    for (let i = this.lateIndex(startMs), end = this.lateIndex(endMs); i < end; i += 1) {
      const row = this.late[i];
      if (row !== undefined) add(late, binFloor(row.ms, binMs), 1);
    }
    return late.length === 0 ? regular : mergeBins(regular, late);
  }

  /** Rows in [startMs, endMs) in TimeGenerated order, ties broken by the hidden _ItemId (not part of the row). */
  *rows(startMs: number, endMs: number): Generator<SyntheticRow, void, undefined> {
    checkRange(startMs, endMs);
    let li = this.lateIndex(startMs);
    const lateEnd = this.lateIndex(endMs);
    for (let m = floorMinute(startMs); m < endMs; m += MINUTE_MS) {
      const count = this.rowsInMinute(m);
      const minuteEnd = Math.min(endMs, m + MINUTE_MS);
      const hasLate = li < lateEnd && (this.late[li]?.ms ?? Infinity) < minuteEnd;
      if (count === 0 && !hasLate) continue;
      const prefix = minutePrefix(m);
      const minuteIndex = m / MINUTE_MS;
      let j = rowsBefore(Math.max(startMs, m) - m, count);
      const jEnd = rowsBefore(minuteEnd - m, count);
      while (j < jEnd || (li < lateEnd && (this.late[li]?.ms ?? Infinity) < minuteEnd)) {
        const lateRow = li < lateEnd ? this.late[li] : undefined;
        const lateFirst =
          lateRow !== undefined &&
          lateRow.ms < minuteEnd &&
          (j >= jEnd || lateRow.tick < tickOf(j, count) || (lateRow.tick === tickOf(j, count) && lateRow.itemId < this.itemId(minuteIndex, j)));
        if (lateFirst) {
          yield this.buildRow(prefix, minuteIndex, lateRow.j, lateRow.tick);
          li += 1;
        } else {
          yield this.buildRow(prefix, minuteIndex, j, tickOf(j, count));
          j += 1;
        }
      }
    }
  }

  /** Rows that arrive after the fact: they count in histograms and appear in row output from now on. */
  addLateRows(rows: ReadonlyArray<{ timeGeneratedMs: number }>): void {
    for (const { timeGeneratedMs: ms } of rows) {
      if (!Number.isSafeInteger(ms)) throw new RangeError(`late row time must be whole ms, got ${ms}`);
      const minuteStartMs = floorMinute(ms);
      const j = -1 - this.late.length;
      const itemId = this.itemId(minuteStartMs / MINUTE_MS, j);
      this.late.push({ ms, minuteStartMs, tick: (ms - minuteStartMs) * TICKS_PER_MS, j, itemId });
    }
    this.late.sort((a, b) => a.ms - b.ms || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  }

  get lateRowCount(): number {
    return this.late.length;
  }

  /** Index of the first late row at or after ms (binary search). */
  private lateIndex(ms: number): number {
    let lo = 0;
    let hi = this.late.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.late[mid]?.ms ?? Infinity) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private itemId(minuteIndex: number, j: number): string {
    return guidFrom(hash3(this.seed, minuteIndex, j), 0x17e1);
  }

  private buildRow(prefix: string, minuteIndex: number, j: number, tick: number): SyntheticRow {
    const rowSeed = hash3(this.seed, minuteIndex, j);
    const row: SyntheticRow = new Array<SyntheticValue>(this.columns.length);
    row[0] = formatInMinute(prefix, tick);
    for (let c = 1; c < this.columns.length; c += 1) {
      const column = this.columns[c];
      if (column !== undefined) row[c] = cellValue(column, rowSeed, c, j, minuteIndex * MINUTE_MS + Math.floor(tick / TICKS_PER_MS));
    }
    return row;
  }
}

function cellValue(column: SyntheticColumn, rowSeed: number, c: number, j: number, rowMs: number): SyntheticValue {
  const h = hash3(rowSeed, c, 0);
  if (column.extremes === true && h % 7 === 0) {
    const edges = EXTREMES[column.type];
    return edges[(h >>> 3) % edges.length] ?? null;
  }
  switch (column.type) {
    case "string": {
      const pool = column.pool ?? HAZARD_STRINGS;
      const base = pool[h % pool.length] ?? "";
      if (column.pool !== undefined) return base;
      // Varied lengths: most short, one in eight carries up to ~600 characters of filler.
      const tail = (h >>> 8) % 8 === 0 ? FILLER.slice(0, hash3(rowSeed, c, 1) % FILLER.length) : "";
      return `${base} #${(h >>> 4) % 100_000}${tail}`;
    }
    case "datetime":
      return formatTimeGenerated(rowMs - (h % 86_400_000), hash3(rowSeed, c, 1) % TICKS_PER_MS);
    case "long":
      // One in three beyond 2^53 so any double on the way loses digits visibly.
      return h % 3 === 0 ? BIG_LONG + BigInt(Math.abs(j)) : (h % 2 === 0 ? 1 : -1) * (hash3(rowSeed, c, 1) * 1_000 + (h % 1_000));
    case "int":
      return h % 41 === 0 ? null : (h % 2_000_000) - 1_000;
    case "real":
      return Math.round((h % 10_000_000) - 5_000_000) / 1_000;
    case "bool":
      return (h & 1) === 1;
    case "guid":
      return guidFrom(rowSeed, c);
    case "timespan": {
      const ticks = hash3(rowSeed, c, 1) % 10_000_000;
      return `${h % 2 === 0 ? "" : "-"}${h % 3 === 0 ? `${h % 40}.` : ""}${String((h >>> 4) % 24).padStart(2, "0")}:${String((h >>> 9) % 60).padStart(2, "0")}:${String((h >>> 15) % 60).padStart(2, "0")}.${String(ticks).padStart(7, "0")}`;
    }
    case "decimal":
      return `${h % 2 === 0 ? "" : "-"}${h % 1_000_000}.${String(hash3(rowSeed, c, 1) % 1_000_000_000).padStart(9, "0")}`;
    case "dynamic": {
      // The service returns dynamic values as a string holding JSON.
      if (h % 17 === 0) return `[${h % 10},${(h >>> 4) % 10},"日本"]`;
      const name = JSON.stringify(HAZARD_STRINGS[(h >>> 3) % HAZARD_STRINGS.length] ?? "");
      return `{"k":${h % 1_000},"name":${name},"tags":${TAGS[(h >>> 5) % TAGS.length] ?? "[]"},"nested":{"ok":${(h & 1) === 1}}}`;
    }
  }
}

/** Rows of a minute holding `count` rows whose tick lies before offsetMs into the minute: the inverse of tickOf. */
function rowsBefore(offsetMs: number, count: number): number {
  if (offsetMs <= 0) return 0;
  if (offsetMs >= MINUTE_MS) return count;
  // tickOf(j) < offsetMs * 10_000  <=>  j < offsetMs * count / 60_000
  const n = offsetMs * count;
  const q = Math.floor(n / MINUTE_MS);
  return q * MINUTE_MS === n ? q : q + 1;
}

/** Tick offset of row j among `count` rows spread evenly over a minute. */
function tickOf(j: number, count: number): number {
  return Math.floor((j * TICKS_PER_MINUTE) / count);
}

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

function binFloor(ms: number, binMs: number): number {
  return Math.floor((ms + KQL_EPOCH_OFFSET_MS) / binMs) * binMs - KQL_EPOCH_OFFSET_MS;
}

function checkRange(startMs: number, endMs: number): void {
  if (!Number.isSafeInteger(startMs) || !Number.isSafeInteger(endMs)) throw new RangeError(`range bounds must be whole ms, got ${startMs}..${endMs}`);
}

function mergeBins(a: readonly HistogramCount[], b: readonly HistogramCount[]): HistogramCount[] {
  const out: HistogramCount[] = [];
  let i = 0;
  let k = 0;
  while (i < a.length || k < b.length) {
    const x = a[i];
    const y = b[k];
    if (y === undefined || (x !== undefined && x.binStartMs < y.binStartMs)) {
      if (x !== undefined) out.push({ ...x });
      i += 1;
    } else if (x === undefined || y.binStartMs < x.binStartMs) {
      out.push({ ...y });
      k += 1;
    } else {
      out.push({ binStartMs: x.binStartMs, rows: x.rows + y.rows });
      i += 1;
      k += 1;
    }
  }
  return out;
}

// ---- factories ----

/** Minute of the AppRequests burst (10:17) and its size: far above any small part budget. */
export const BURST_MINUTE_OFFSET_MS = 10 * HOUR_MS + 17 * MINUTE_MS;
export const BURST_ROWS = 25_000;

function inDays(firstDayMs: number, lastDayMs: number, minuteStartMs: number): boolean {
  return minuteStartMs >= firstDayMs && minuteStartMs < lastDayMs + DAY_MS;
}

/** Three tables for the day starting at dayStartMs and `daysBefore` days before it; zero rows outside them. The burst is on the last day. */
export interface DemoTableOptions {
  /** Multiplies the steady rates of AppRequests and AppTraces (not the burst): the demo runs lighter than the tests. Default 1. */
  readonly rateScale?: number;
}

export function demoTables(dayStartMs: number, daysBefore = 0, options: DemoTableOptions = {}): SyntheticTable[] {
  const scale = options.rateScale ?? 1;
  const inRange = (m: number): boolean => inDays(dayStartMs - daysBefore * DAY_MS, dayStartMs, m);
  const appRequests = new SyntheticTable({
    name: "AppRequests",
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Id", type: "guid" },
      { name: "Name", type: "string", pool: ["GET /api/items", "POST /api/items", "GET /api/items/{id}", "DELETE /api/items/{id}", "GET /health"] },
      { name: "Url", type: "string" },
      { name: "Success", type: "bool" },
      { name: "ResultCode", type: "string", pool: ["200", "200", "200", "201", "204", "404", "429", "500"] },
      { name: "DurationMs", type: "real" },
      { name: "ItemCount", type: "int" },
      { name: "Sequence", type: "long" },
      { name: "Properties", type: "dynamic" },
    ],
    bytesPerRow: 420,
    rowsInMinute(m) {
      if (!inRange(m)) return 0;
      if (m - dayStartMs === BURST_MINUTE_OFFSET_MS) return BURST_ROWS;
      // ~200 a minute with a daily wave (100..300), plus a little deterministic noise.
      const phase = ((m - dayStartMs) / DAY_MS) * 2 * Math.PI;
      return Math.round(scale * (200 - 100 * Math.cos(phase))) + (hash3(1, m / MINUTE_MS, 0) % 11) - 5;
    },
  });
  const appTraces = new SyntheticTable({
    name: "AppTraces",
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Message", type: "string" },
      { name: "SeverityLevel", type: "int" },
      { name: "OperationId", type: "guid" },
      { name: "Properties", type: "dynamic" },
      { name: "Counter", type: "long" },
    ],
    bytesPerRow: 300,
    rowsInMinute: (m) => (inRange(m) ? Math.round(scale * (40 + (hash3(2, m / MINUTE_MS, 0) % 21))) : 0),
  });
  const securityEvent = new SyntheticTable({
    name: "SecurityEvent",
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Computer", type: "string", pool: ["web-01", "web-02", "db-01", "dc-01.contoso.local"] },
      { name: "EventID", type: "int" },
      { name: "Activity", type: "string" },
      { name: "Account", type: "string", pool: ["CONTOSO\\alice", "CONTOSO\\bob", "NT AUTHORITY\\SYSTEM", "CONTOSO\\josé"] },
      { name: "TimeCreated", type: "datetime" },
      { name: "IsAdmin", type: "bool" },
    ],
    bytesPerRow: 650,
    rowsInMinute(m) {
      if (!inRange(m)) return 0;
      const h = hash3(3, m / MINUTE_MS, 0);
      return h % 10 < 6 ? 0 : 1 + ((h >>> 8) % 4); // about 60 % of minutes are empty
    },
  });
  return [appRequests, appTraces, securityEvent];
}

/** totalRows spread evenly over the hour starting at hourStartMs, ~10 columns (bench); burstRows more land in minute 17. */
export function benchTable(hourStartMs: number, totalRows: number, name = "BenchLogs_CL", burstRows = 0): SyntheticTable {
  if (!Number.isSafeInteger(totalRows) || totalRows < 0) throw new RangeError(`totalRows must be a whole number, got ${totalRows}`);
  return new SyntheticTable({
    name,
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Computer", type: "string", pool: ["web-01", "web-02", "web-03", "worker-01"] },
      { name: "Message", type: "string" },
      { name: "Level", type: "string", pool: ["Information", "Warning", "Error", "Verbose"] },
      { name: "StatusCode", type: "int" },
      { name: "DurationMs", type: "real" },
      { name: "BytesSent", type: "long" },
      { name: "Success", type: "bool" },
      { name: "CorrelationId", type: "guid" },
      { name: "Properties", type: "dynamic" },
    ],
    bytesPerRow: 350,
    rowsInMinute(m) {
      const i = (m - hourStartMs) / MINUTE_MS;
      if (i < 0 || i >= 60) return 0;
      return Math.floor((totalRows * (i + 1)) / 60) - Math.floor((totalRows * i) / 60) + (i === 17 ? burstRows : 0);
    },
  });
}
