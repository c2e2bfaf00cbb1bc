/**
 * One Parquet writer on one row count, in its own process so its peak RSS is
 * its own. Run by bench/parquet-writers.ts:
 *
 *   node [--max-old-space-size=N] --import tsx bench/parquet-writers-worker.ts <writer> <rows> <out.parquet>
 *
 * Prints one JSON line (WorkerResult). The losing writers are not project
 * dependencies: they are loaded from the git-ignored folder the parent
 * installs them into (CANDIDATES_DIR).
 */
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { ParquetWriter, type ColumnSource } from "hyparquet-writer";
import { fileWriter } from "hyparquet-writer/src/node.js";
import { createParquetEncoder } from "../shared/formats/parquet/encoder.js";
import { PULP_ACCESS_LOG_SCHEMA, schemaElements, type PulpAccessLogRow } from "../shared/formats/parquet/schema.js";
import { pulpBenchRows, pulpBenchRowsAsync, type PulpBenchRow } from "./parquet-writers-rows.js";

export const CANDIDATES_DIR = join(import.meta.dirname, "..", ".bench", "parquet-candidates");
export const ROW_GROUP_SIZE = 100_000;

export interface WorkerResult {
  seconds: number;
  peakRssBytes: number;
  bytes: number;
  /** DuckDB only: the COPY … TO parquet step alone. */
  copySeconds?: number;
}

const COLUMN_NAMES = PULP_ACCESS_LOG_SCHEMA.map((c) => c.name);
type ColumnName = keyof PulpBenchRow;

/** A candidate module loaded by path from the candidates folder; CJS modules arrive as `default`. */
async function loadCandidate<T>(packageName: string, entry: string): Promise<T> {
  const namespace = (await import(pathToFileURL(join(CANDIDATES_DIR, "node_modules", packageName, entry)).href)) as { default?: unknown };
  const exports = "default" in namespace && typeof namespace.default === "object" && namespace.default !== null ? namespace.default : namespace;
  return exports as T;
}

/** No Parquet at all: generate and transpose the rows, to show what the row source alone costs. */
async function rowsOnly(count: number): Promise<void> {
  let columns: unknown[][] = COLUMN_NAMES.map(() => []);
  let inGroup = 0;
  for (const row of pulpBenchRows(count)) {
    COLUMN_NAMES.forEach((name, i) => columns[i]?.push(row[name as ColumnName]));
    if (++inGroup === ROW_GROUP_SIZE) {
      columns = COLUMN_NAMES.map(() => []);
      inGroup = 0;
    }
  }
}

/** The product path: shared/formats/parquet over an async row source, bytes piped to a file stream. */
async function ourEncoder(count: number, out: string): Promise<void> {
  const encoder = createParquetEncoder(PULP_ACCESS_LOG_SCHEMA, { rowGroupSize: ROW_GROUP_SIZE });
  await pipeline(Readable.from(encoder.write(pulpBenchRowsAsync(count))), createWriteStream(out));
}

/** hyparquet-writer as FIELD-NOTES ran it: the library's own fileWriter, `ParquetWriter.write` per 100K-row column batch. */
async function hyparquetFileWriter(count: number, out: string): Promise<void> {
  const writer = new ParquetWriter({ writer: fileWriter(out), schema: schemaElements(PULP_ACCESS_LOG_SCHEMA), codec: "SNAPPY" });
  let columns: unknown[][] = COLUMN_NAMES.map(() => []);
  const flush = async () => {
    const columnData: ColumnSource[] = COLUMN_NAMES.map((name, i) => ({ name, data: columns[i] ?? [] }));
    const rows = columns[0]?.length ?? 0;
    columns = COLUMN_NAMES.map(() => []);
    await writer.write({ columnData, rowGroupSize: rows });
  };
  for (const row of pulpBenchRows(count)) {
    COLUMN_NAMES.forEach((name, i) => columns[i]?.push(row[name as ColumnName]));
    if ((columns[0]?.length ?? 0) === ROW_GROUP_SIZE) await flush();
  }
  if ((columns[0]?.length ?? 0) > 0) await flush();
  await writer.finish();
}

interface ParquetjsWriter {
  appendRow(row: Record<string, unknown>): Promise<void>;
  setRowGroupSize(count: number): void;
  close(): Promise<void>;
}
interface ParquetjsModule {
  ParquetSchema: new (fields: Record<string, { type: string; optional?: boolean; compression?: string }>) => object;
  ParquetWriter: { openFile(schema: object, path: string, options?: { rowGroupSize?: number }): Promise<ParquetjsWriter> };
}

/** @dsnp/parquetjs and parquetjs-lite share the parquetjs API; neither has a nanosecond timestamp, so MICROS it is. */
async function parquetjs(packageName: string, entry: string, count: number, out: string): Promise<void> {
  const lib = await loadCandidate<ParquetjsModule>(packageName, entry);
  const field = (type: string, optional = false) => ({ type, optional, compression: "SNAPPY" });
  const schema = new lib.ParquetSchema({
    timestamp: field("TIMESTAMP_MICROS"),
    message: field("UTF8"),
    user: field("UTF8", true),
    org_id: field("UTF8", true),
    domain: field("UTF8"),
    distribution: field("UTF8"),
    package: field("UTF8"),
    status_code: field("INT_16"),
    user_agent: field("UTF8"),
    x_forwarded_for: field("UTF8"),
  });
  const writer = await lib.ParquetWriter.openFile(schema, out, { rowGroupSize: ROW_GROUP_SIZE });
  writer.setRowGroupSize(ROW_GROUP_SIZE);
  for (const row of pulpBenchRows(count)) {
    // parquetjs skips a missing optional field; null is not accepted everywhere.
    const record: Record<string, unknown> = { ...row, timestamp: row.timestamp / 1_000n };
    if (row.user === null) delete record.user;
    if (row.org_id === null) delete record.org_id;
    await writer.appendRow(record);
  }
  await writer.close();
}

interface ArrowModule {
  makeData(props: { type: object; length: number; data: ArrayLike<number | bigint>; nullCount?: number }): object;
  makeVector(data: object): object;
  vectorFromArray(values: readonly (string | null)[], type: object): object;
  TimestampNanosecond: new (timezone?: string | null) => object;
  Int16: new () => object;
  Utf8: new () => object;
  Table: new (columns: Record<string, object>) => object;
  tableToIPC(table: object, type: "stream"): Uint8Array;
}
interface WasmTable {
  recordBatches(): object[];
}
interface WasmWriterPropertiesBuilder {
  setCompression(value: number): WasmWriterPropertiesBuilder;
  setMaxRowGroupSize(value: number): WasmWriterPropertiesBuilder;
  build(): object;
}
interface ParquetWasmModule {
  Table: { fromIPCStream(buffer: Uint8Array): WasmTable };
  WriterPropertiesBuilder: new () => WasmWriterPropertiesBuilder;
  Compression: { SNAPPY: number };
  transformParquetStream(stream: ReadableStream<object>, properties: object): Promise<ReadableStream<Uint8Array>>;
}

/**
 * parquet-wasm streaming: Arrow JS record batches of 100K rows (built from
 * typed arrays so nanoseconds survive; Arrow JS's builders take milliseconds),
 * pulled one at a time by transformParquetStream, its bytes piped to the file.
 */
async function parquetWasm(count: number, out: string): Promise<void> {
  const arrow = await loadCandidate<ArrowModule>("apache-arrow", "Arrow.node.mjs");
  const wasm = await loadCandidate<ParquetWasmModule>("parquet-wasm", "node/parquet_wasm.js");
  const rows = pulpBenchRows(count);
  const nextBatch = (): object[] | undefined => {
    const group: PulpBenchRow[] = [];
    for (let next = rows.next(); !next.done; next = rows.next()) {
      group.push(next.value);
      if (group.length === ROW_GROUP_SIZE) break;
    }
    if (group.length === 0) return undefined;
    const strings = (name: ColumnName) =>
      arrow.vectorFromArray(
        group.map((r) => r[name] as string | null),
        new arrow.Utf8(),
      );
    const table = new arrow.Table({
      timestamp: arrow.makeVector(
        arrow.makeData({ type: new arrow.TimestampNanosecond("UTC"), length: group.length, data: BigInt64Array.from(group, (r) => r.timestamp) }),
      ),
      message: strings("message"),
      user: strings("user"),
      org_id: strings("org_id"),
      domain: strings("domain"),
      distribution: strings("distribution"),
      package: strings("package"),
      status_code: arrow.makeVector(arrow.makeData({ type: new arrow.Int16(), length: group.length, data: Int16Array.from(group, (r) => r.status_code) })),
      user_agent: strings("user_agent"),
      x_forwarded_for: strings("x_forwarded_for"),
    });
    return wasm.Table.fromIPCStream(arrow.tableToIPC(table, "stream")).recordBatches();
  };
  const batches = new ReadableStream<object>(
    {
      pull(controller) {
        const next = nextBatch();
        if (next === undefined) controller.close();
        else for (const batch of next) controller.enqueue(batch);
      },
    },
    { highWaterMark: 0 },
  );
  const properties = new wasm.WriterPropertiesBuilder().setCompression(wasm.Compression.SNAPPY).setMaxRowGroupSize(ROW_GROUP_SIZE).build();
  const bytes = await wasm.transformParquetStream(batches, properties);
  await bytes.pipeTo(Writable.toWeb(createWriteStream(out)));
}

/** The reference: DuckDB's appender into an in-memory table, then COPY … TO parquet. TIMESTAMP_NS is the only nanosecond type DuckDB has. */
async function duckdb(count: number, out: string): Promise<number> {
  return duckdbAccessLogFile(pulpBenchRows(count), out);
}

/** Any rows of the seed's schema through DuckDB into a Parquet file; returns the COPY step's seconds (the aws-export bench feeds it parsed lines). */
export async function duckdbAccessLogFile(rows: Iterable<PulpAccessLogRow> | AsyncIterable<PulpAccessLogRow>, out: string): Promise<number> {
  const { DuckDBInstance, DuckDBTimestampNanosecondsValue } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(
    `CREATE TABLE logs ("timestamp" TIMESTAMP_NS NOT NULL, message VARCHAR NOT NULL, "user" VARCHAR, org_id VARCHAR, domain VARCHAR NOT NULL, distribution VARCHAR NOT NULL, package VARCHAR NOT NULL, status_code SMALLINT NOT NULL, user_agent VARCHAR NOT NULL, x_forwarded_for VARCHAR NOT NULL)`,
  );
  const appender = await connection.createAppender("logs");
  const text = (value: string | null) => (value === null ? appender.appendNull() : appender.appendVarchar(value));
  for await (const row of rows) {
    appender.appendTimestampNanoseconds(
      new DuckDBTimestampNanosecondsValue(typeof row.timestamp === "bigint" ? row.timestamp : BigInt(row.timestamp.getTime()) * 1_000_000n),
    );
    appender.appendVarchar(row.message);
    text(row.user);
    text(row.org_id);
    appender.appendVarchar(row.domain);
    appender.appendVarchar(row.distribution);
    appender.appendVarchar(row.package);
    appender.appendSmallInt(row.status_code);
    appender.appendVarchar(row.user_agent);
    appender.appendVarchar(row.x_forwarded_for);
    appender.endRow();
  }
  appender.closeSync();
  const copyStarted = performance.now();
  await connection.run(`COPY logs TO '${out.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${ROW_GROUP_SIZE})`);
  const copySeconds = (performance.now() - copyStarted) / 1000;
  connection.closeSync();
  instance.closeSync();
  return copySeconds;
}

export const WRITERS = ["rows-only", "our-encoder", "hyparquet-filewriter", "dsnp-parquetjs", "parquetjs-lite", "parquet-wasm", "duckdb"] as const;
export type WriterName = (typeof WRITERS)[number];

async function run(writer: WriterName, count: number, out: string): Promise<number | undefined> {
  switch (writer) {
    case "rows-only":
      return void (await rowsOnly(count));
    case "our-encoder":
      return void (await ourEncoder(count, out));
    case "hyparquet-filewriter":
      return void (await hyparquetFileWriter(count, out));
    case "dsnp-parquetjs":
      return void (await parquetjs("@dsnp/parquetjs", "dist/parquet.js", count, out));
    case "parquetjs-lite":
      return void (await parquetjs("parquetjs-lite", "parquet.js", count, out));
    case "parquet-wasm":
      return void (await parquetWasm(count, out));
    case "duckdb":
      return duckdb(count, out);
  }
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const [writer, rowsArg, out] = process.argv.slice(2);
  if (!(WRITERS as readonly string[]).includes(writer ?? "") || rowsArg === undefined || out === undefined) {
    throw new Error(`usage: parquet-writers-worker.ts <${WRITERS.join("|")}> <rows> <out.parquet>`);
  }
  const started = performance.now();
  const copySeconds = await run(writer as WriterName, Number(rowsArg), out);
  const seconds = (performance.now() - started) / 1000;
  const bytes = writer === "rows-only" ? 0 : (await stat(out)).size;
  const result: WorkerResult = { seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, bytes, ...(copySeconds === undefined ? {} : { copySeconds }) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
