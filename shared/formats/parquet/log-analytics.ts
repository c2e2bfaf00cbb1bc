import type { RecordEncoder } from "../../core/ports.js";
import type { Column, LogRecord } from "../../core/records.js";
import { stringifyJson } from "../../sanitize/json-exact.js";
import { createParquetEncoder, ParquetEncodeError, type ParquetEncoderOptions, type ParquetRow } from "./encoder.js";
import type { ParquetColumn, ParquetColumnType, ParquetSchema } from "./schema.js";

/** What the manifest records of a Parquet file: the writer, its codec, and the columns as written. */
export interface ParquetFormat {
  readonly name: "parquet";
  readonly writer: string;
  readonly codec: string;
  readonly schema: ParquetSchema;
}

/** Bumped with package.json's hyparquet-writer, so a manifest says which writer made its files. */
export const PARQUET_WRITER = "hyparquet-writer 0.17.0";

/**
 * Log Analytics column types to Parquet (docs/parquet-types.md). `datetime` holds 100 ns ticks: the
 * column is TIMESTAMP(MICROS, UTC), which DuckDB, Athena/Trino, Spark 3 and Synapse serverless all
 * read, and `<name>_100ns` keeps the tenth of a microsecond (0–9) so nothing is lost.
 */
const PARQUET_TYPE: Readonly<Record<string, ParquetColumnType>> = {
  bool: "bool",
  boolean: "bool",
  int: "int32",
  long: "int64",
  real: "double",
  decimal: "string",
  string: "string",
  guid: "string",
  datetime: "timestamp_us_utc",
  timespan: "int64",
  dynamic: "json",
};

type Fill = (record: LogRecord, row: Record<string, unknown>, rowIndex: number) => void;

/** One source column's Parquet columns and how a record fills them. */
interface ColumnPlan {
  readonly columns: readonly ParquetColumn[];
  readonly fill: Fill;
}

const TICKS_PER_MS = 10_000n;
const TICKS_PER_SECOND = 10_000_000n;
const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?Z$/;
const TIMESPAN = /^(-)?(?:(\d+)\.)?(\d+):(\d\d):(\d\d)(?:\.(\d{1,7}))?$/;

/** 100 ns ticks since the Unix epoch of a Log Analytics datetime (`2026-11-22T10:00:00.1234567Z`). */
export function datetimeTicks(text: string): bigint | undefined {
  const match = ISO.exec(text);
  const seconds = match === null ? Number.NaN : Date.parse(`${match[1] ?? ""}Z`);
  if (match === null || Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * TICKS_PER_MS + BigInt((match[2] ?? "").padEnd(7, "0"));
}

/** 100 ns ticks of a Log Analytics timespan (`[-][d.]hh:mm:ss[.fffffff]`). */
export function timespanTicks(text: string): bigint | undefined {
  const match = TIMESPAN.exec(text);
  if (match === null) return undefined;
  const [, sign, days = "0", hours = "0", minutes = "0", seconds = "0", fraction = ""] = match;
  const whole = ((BigInt(days) * 24n + BigInt(hours)) * 60n + BigInt(minutes)) * 60n + BigInt(seconds);
  const ticks = whole * TICKS_PER_SECOND + BigInt(fraction.padEnd(7, "0"));
  return sign === "-" ? -ticks : ticks;
}

/** The second of the previous datetime and its epoch ms: rows of a part come in time order, many in one second. */
let lastSecond = "";
let lastSecondMs = 0;

/**
 * The common shape (`YYYY-MM-DDTHH:MM:SS.fffffffZ`, seven digits, years 1970–2255) without a regex or a
 * bigint: microseconds fit a double there. Anything else goes the exact way (datetimeTicks).
 */
function quickDatetime(text: string): { micros: number; digit: number } | undefined {
  if (text.length !== 28 || text.charCodeAt(19) !== 46 || text.charCodeAt(27) !== 90) return undefined;
  const second = text.slice(0, 19);
  if (second !== lastSecond) {
    const ms = Date.parse(`${second}Z`);
    if (Number.isNaN(ms) || ms < 0 || ms > 8_000_000_000_000) return undefined;
    lastSecond = second;
    lastSecondMs = ms;
  }
  let fraction = 0;
  for (let i = 20; i < 27; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    fraction = fraction * 10 + digit;
  }
  return { micros: lastSecondMs * 1000 + Math.floor(fraction / 10), digit: fraction % 10 };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function refuse(column: string, type: string, value: unknown, rowIndex: number): never {
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(value);
  throw new ParquetEncodeError(`row ${rowIndex}, column "${column}" (${type}): cannot write ${typeof value} ${shown}`, column, rowIndex);
}

/**
 * What the sanitizer writes in place of a value: a redaction marker (`[REDACTED:card]`, a 16-digit long that
 * passed Luhn) or a keyed pseudonym. A typed column cannot hold either, so the cell becomes null there; the
 * manifest's sanitizer counts say how many were replaced.
 */
const SANITIZED = /^(?:\[REDACTED:[^\]]+\]|pseu_[0-9a-f]{16})$/;

/** A value of the source as the Parquet type of its column wants it; null stays null. */
function convert(name: string, type: string, value: unknown, rowIndex: number): unknown {
  if (value === null || value === undefined) return null;
  const parquetType = PARQUET_TYPE[type] ?? "string";
  if (parquetType !== "string" && parquetType !== "json" && typeof value === "string" && SANITIZED.test(value)) return null;
  switch (parquetType) {
    case "bool":
      return typeof value === "boolean"
        ? value
        : value === "True" || value === "true"
          ? true
          : value === "False" || value === "false"
            ? false
            : refuse(name, type, value, rowIndex);
    case "int32":
      return typeof value === "number" && Number.isInteger(value) ? value : refuse(name, type, value, rowIndex);
    case "int64":
      if (type === "timespan") return (typeof value === "string" ? timespanTicks(value) : undefined) ?? refuse(name, type, value, rowIndex);
      return typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value)) ? value : refuse(name, type, value, rowIndex);
    case "double":
      // The service writes non-finite reals as strings.
      if (typeof value === "number") return value;
      return value === "NaN"
        ? Number.NaN
        : value === "Infinity"
          ? Number.POSITIVE_INFINITY
          : value === "-Infinity"
            ? Number.NEGATIVE_INFINITY
            : refuse(name, type, value, rowIndex);
    case "json":
      return stringifyJson(value);
    default:
      return typeof value === "string"
        ? value
        : typeof value === "bigint" || typeof value === "number" || typeof value === "boolean"
          ? String(value)
          : stringifyJson(value);
  }
}

function freeName(wanted: string, taken: Set<string>): string {
  let name = wanted;
  for (let n = 2; taken.has(name); n += 1) name = `${wanted}_${n}`;
  taken.add(name);
  return name;
}

/** Parquet columns for the result's columns, in order, each datetime followed by its `_100ns` column. */
export function logAnalyticsPlan(columns: readonly Column[]): { readonly schema: ParquetSchema; readonly fill: Fill } {
  const taken = new Set(columns.map((c) => c.name));
  const plans: ColumnPlan[] = columns.map(({ name, type }) => {
    if (type !== "datetime") {
      return {
        columns: [{ name, type: PARQUET_TYPE[type] ?? "string", nullable: true }],
        fill: (record, row, i) => {
          row[name] = convert(name, type, record[name], i);
        },
      };
    }
    const extra = freeName(`${name}_100ns`, taken);
    return {
      columns: [
        { name, type: "timestamp_us_utc", nullable: true },
        { name: extra, type: "int8", nullable: true },
      ],
      fill: (record, row, i) => {
        const value = record[name];
        if (value === null || value === undefined || (typeof value === "string" && SANITIZED.test(value))) {
          row[name] = null;
          row[extra] = null;
          return;
        }
        const fast = typeof value === "string" ? quickDatetime(value) : undefined;
        if (fast !== undefined) {
          row[name] = fast.micros;
          row[extra] = fast.digit;
          return;
        }
        const ticks = (typeof value === "string" ? datetimeTicks(value) : undefined) ?? refuse(name, type, value, i);
        row[name] = floorDiv(ticks, 10n);
        row[extra] = Number(ticks - floorDiv(ticks, 10n) * 10n);
      },
    };
  });
  return {
    schema: plans.flatMap((p) => p.columns),
    fill: (record, row, i) => {
      for (const plan of plans) plan.fill(record, row, i);
    },
  };
}

/** One row object, refilled for each record: the encoder copies a row's values into its columns before it asks for the next. */
async function* rowsOf(records: AsyncIterable<LogRecord>, fill: Fill): AsyncGenerator<ParquetRow> {
  let index = 0;
  const row: Record<string, unknown> = {};
  for await (const record of records) {
    fill(record, row, index);
    index += 1;
    yield row;
  }
}

/**
 * Chosen on measurements (`npm run bench -- azure-export`, docs/parquet-types.md): GZIP pages are 40 % smaller
 * than Snappy's on Log Analytics rows and no slower to write here (zlib is native, the writer's Snappy is
 * JavaScript); row groups of 25,000 rows keep a part's memory flat and encode faster than larger ones.
 */
const LOG_ANALYTICS_DEFAULTS = { codec: "GZIP", rowGroupSize: 25_000 } as const satisfies ParquetEncoderOptions;

/** Typed Parquet for any Log Analytics table: the schema comes from each result's own columns, so every file describes itself. */
export function createLogAnalyticsParquetEncoder(overrides: ParquetEncoderOptions = {}): RecordEncoder & { format(columns: readonly Column[]): ParquetFormat } {
  const options = { ...LOG_ANALYTICS_DEFAULTS, ...overrides };
  return {
    extension: "parquet",
    contentType: "application/vnd.apache.parquet",
    encode: (records, columns) => {
      const plan = logAnalyticsPlan(columns);
      return createParquetEncoder(plan.schema, options).write(rowsOf(records, plan.fill));
    },
    format: (columns) => ({ name: "parquet", writer: PARQUET_WRITER, codec: options.codec, schema: logAnalyticsPlan(columns).schema }),
  };
}
