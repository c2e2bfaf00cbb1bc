import { gzipSync } from "node:zlib";
import { ByteWriter, ParquetWriter, type ColumnSource } from "hyparquet-writer";
import { LogExportError } from "../../core/errors.js";
import type { RecordEncoder } from "../../core/ports.js";
import type { Column, LogRecord } from "../../core/records.js";
import { assertValidSchema, schemaElements, type ParquetColumn, type ParquetSchema } from "./schema.js";

/** A row keyed by column name; keys the schema does not name are ignored. */
export type ParquetRow = Readonly<Record<string, unknown>>;

export interface ParquetEncoderOptions {
  /** Rows per row group: memory holds about one group (default 100,000; bench figures in docs/parquet-writers.md). */
  readonly rowGroupSize?: number;
  /** Bytes are handed on in chunks of about this size (default 1 MiB). */
  readonly chunkBytes?: number;
  /** Page compression (default SNAPPY; docs/parquet-types.md has the measurements). ZSTD would need a native module on Node 20. */
  readonly codec?: ParquetCodec;
}

export const PARQUET_CODECS = ["SNAPPY", "GZIP", "UNCOMPRESSED"] as const;
export type ParquetCodec = (typeof PARQUET_CODECS)[number];

/**
 * GZIP pages through node:zlib (hyparquet-writer brings only Snappy), at level 1: the pages are compressed on
 * the writer's thread, and level 1 was the fastest while still smaller than gzip JSON Lines (docs/parquet-types.md).
 */
const GZIP_LEVEL = 1;
const COMPRESSORS = { GZIP: (input: Uint8Array): Uint8Array => gzipSync(input, { level: GZIP_LEVEL }) };

export interface ParquetEncoder extends RecordEncoder {
  readonly schema: ParquetSchema;
  /**
   * The file's bytes, yielded as they are produced (about one chunk per
   * `chunkBytes`, all of a row group before the next is read), so a caller can
   * pipe them to a file or a multipart upload. A row that does not fit the
   * schema throws {@link ParquetEncodeError} before its row group is written:
   * the bytes already yielded are a prefix, never a valid file.
   */
  write(rows: AsyncIterable<ParquetRow> | Iterable<ParquetRow>): AsyncIterable<Uint8Array>;
}

/** A value that does not fit its column (wrong type, out of range, null in a required column). Not retriable: the input is wrong. */
export class ParquetEncodeError extends LogExportError {
  constructor(
    message: string,
    readonly column: string,
    readonly rowIndex: number,
  ) {
    super(message);
  }
}

export const DEFAULT_ROW_GROUP_SIZE = 100_000;
const DEFAULT_CHUNK_BYTES = 1 << 20;

/** A streaming Parquet writer (hyparquet-writer underneath, Snappy, dictionary where it pays). */
export function createParquetEncoder(schema: ParquetSchema, options: ParquetEncoderOptions = {}): ParquetEncoder {
  assertValidSchema(schema);
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(rowGroupSize) || rowGroupSize < 1) throw new TypeError(`rowGroupSize must be a positive integer, got ${rowGroupSize}`);
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) throw new TypeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  const frozen = Object.freeze([...schema]);
  const codec = options.codec ?? "SNAPPY";
  const write = (rows: AsyncIterable<ParquetRow> | Iterable<ParquetRow>) => encodeRows(frozen, rows, rowGroupSize, chunkBytes, codec);
  return {
    schema: frozen,
    columns: Object.freeze(frozen.map((column) => ({ name: column.name, type: column.type }))),
    extension: "parquet",
    contentType: "application/vnd.apache.parquet",
    write,
    encode: (records: AsyncIterable<LogRecord>, _columns: readonly Column[]) => write(records),
  };
}

/** hyparquet-writer's byte buffer, emptied into `chunks` whenever it passes `chunkBytes`, so it never holds a whole file. */
class ChunkedWriter extends ByteWriter {
  private chunks: Uint8Array[] = [];

  constructor(private readonly chunkBytes: number) {
    super(Math.min(chunkBytes * 2, 1 << 22));
  }

  override ensure(size: number): void {
    if (this.index > this.chunkBytes) this.cut();
    super.ensure(size);
  }

  /** Everything written since the last take, in order. */
  take(): Uint8Array[] {
    this.cut();
    const taken = this.chunks;
    this.chunks = [];
    return taken;
  }

  private cut(): void {
    if (this.index === 0) return;
    this.chunks.push(new Uint8Array(this.buffer.slice(0, this.index)));
    this.index = 0;
  }
}

type Convert = (value: unknown, rowIndex: number) => unknown;

async function* encodeRows(
  schema: ParquetSchema,
  rows: AsyncIterable<ParquetRow> | Iterable<ParquetRow>,
  rowGroupSize: number,
  chunkBytes: number,
  codec: ParquetCodec,
): AsyncGenerator<Uint8Array> {
  const sink = new ChunkedWriter(chunkBytes);
  const parquet = new ParquetWriter({ writer: sink, schema: schemaElements(schema), codec, compressors: COMPRESSORS, statistics: true });
  const names = schema.map((column) => column.name);
  const converters = schema.map(converter);
  const width = schema.length;
  let columns: unknown[][] = names.map(() => []);
  let inGroup = 0;
  let rowIndex = 0;

  const flushGroup = async (): Promise<void> => {
    const columnData: ColumnSource[] = names.map((name, i) => ({ name, data: columns[i] ?? [] }));
    columns = names.map(() => []);
    const groupRows = inGroup;
    inGroup = 0;
    await parquet.write({ columnData, rowGroupSize: groupRows });
  };

  // Rows are transposed as they arrive, so a row object dies young and only the group's column arrays live on.
  const add = (row: ParquetRow): void => {
    for (let i = 0; i < width; i += 1) (columns[i] as unknown[]).push((converters[i] as Convert)(row[names[i] as string], rowIndex));
    rowIndex += 1;
    inGroup += 1;
  };

  if (Symbol.asyncIterator in rows) {
    for await (const row of rows) {
      add(row);
      if (inGroup === rowGroupSize) {
        await flushGroup();
        yield* sink.take();
      }
    }
  } else {
    for (const row of rows) {
      add(row);
      if (inGroup === rowGroupSize) {
        await flushGroup();
        yield* sink.take();
      }
    }
  }
  if (inGroup > 0) await flushGroup();
  await parquet.finish();
  yield* sink.take();
}

const INT16_MIN = -32_768;
const INT16_MAX = 32_767;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const NS_PER_MS = 1_000_000n;

function describe(value: unknown): string {
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "bigint") return `bigint ${value}n`;
  if (value instanceof Date) return `Date ${Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()}`;
  return `${typeof value} ${String(value)}`;
}

function converter(column: ParquetColumn): Convert {
  const { name, type, nullable } = column;
  const fail = (value: unknown, rowIndex: number, expected: string): never => {
    throw new ParquetEncodeError(`row ${rowIndex}, column "${name}": expected ${expected}, got ${describe(value)}`, name, rowIndex);
  };
  const check = (ok: (value: unknown) => boolean, expected: string, convert: (value: never) => unknown = (value) => value): Convert => {
    const what = nullable ? `${expected} or null` : expected;
    return (value, rowIndex) => {
      if (value === null || value === undefined) return nullable ? null : fail(value, rowIndex, what);
      return ok(value) ? convert(value as never) : fail(value, rowIndex, what);
    };
  };
  switch (type) {
    case "string":
      return check((v) => typeof v === "string", "a string");
    case "json":
      return check((v) => typeof v === "string", "JSON text");
    case "int8":
      return check((v) => Number.isInteger(v) && (v as number) >= -128 && (v as number) <= 127, "an integer in [-128, 127]");
    case "double":
      return check((v) => typeof v === "number", "a number (NaN and ±Infinity included)");
    case "timestamp_us_utc":
      return check(
        (v) => (typeof v === "bigint" && v >= INT64_MIN && v <= INT64_MAX) || Number.isSafeInteger(v),
        "microseconds since the epoch (a bigint, or a safe-integer number)",
      );
    case "int16":
      return check((v) => Number.isInteger(v) && (v as number) >= INT16_MIN && (v as number) <= INT16_MAX, "an integer in [-32768, 32767]");
    case "int32":
      return check((v) => Number.isInteger(v) && (v as number) >= INT32_MIN && (v as number) <= INT32_MAX, "a 32-bit integer");
    case "int64":
      return check(
        (v) => (typeof v === "bigint" && v >= INT64_MIN && v <= INT64_MAX) || Number.isSafeInteger(v),
        "a 64-bit integer (bigint, or a safe-integer number)",
        (v: bigint | number) => BigInt(v),
      );
    case "bool":
      return check((v) => typeof v === "boolean", "a boolean");
    case "timestamp_ns":
      return check(
        (v) => (typeof v === "bigint" && v >= INT64_MIN && v <= INT64_MAX) || (v instanceof Date && !Number.isNaN(v.getTime())),
        "nanoseconds since the epoch as a bigint, or a valid Date",
        (v: bigint | Date) => (typeof v === "bigint" ? v : BigInt(v.getTime()) * NS_PER_MS),
      );
  }
}
