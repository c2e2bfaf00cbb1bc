import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createParquetEncoder,
  ParquetEncodeError,
  PULP_ACCESS_LOG_SCHEMA,
  type ParquetRow,
  type ParquetSchema,
  type PulpAccessLogRow,
} from "../../../shared/formats/parquet/index.js";

// DuckDB reads back every file: the reading we promise users (docs/parquet-writers.md).
// hyparquet (hyparquet-writer's own reader) shows the nanoseconds DuckDB truncates are in the file.

const HOUR_NS = 1_770_213_600_000_000_000n; // 2026-02-04T14:00:00Z
const UNICODE = ["ünïcödé", "日本語のパッケージ", "emoji 🐍📦 and a surrogate pair 𝄞", "e\u0301 combining", "tab\tand\nnewline", 'quote " backslash \\', ""];

/** Deterministic rows with nulls, unicode, int16 edges and sub-microsecond timestamps. */
function pulpRows(count: number): PulpAccessLogRow[] {
  const rows: PulpAccessLogRow[] = [];
  const statusEdges = [-32_768, 32_767, 0, -1, 200, 404];
  for (let i = 0; i < count; i += 1) {
    const user = i % 3 === 0 ? null : i % 7 === 0 ? (UNICODE[i % UNICODE.length] ?? "") : `user-${i % 50}`;
    rows.push({
      timestamp: HOUR_NS + BigInt(i) * 720_345_678n + BigInt(i % 1_000), // sub-µs digits on every row
      message: `pulp [${i.toString(16)}]: 10.0.0.${i % 256} - user:${user ?? "-"} "GET /api/pypi/d/dist/simple/${UNICODE[i % UNICODE.length] ?? ""}/ HTTP/1.1" ${i}`,
      user,
      org_id: i % 5 === 0 ? null : String(1_000_000 + i),
      domain: i % 11 === 0 ? "dömäin-ü" : "default",
      distribution: `dist-${i % 4}`,
      package: UNICODE[i % UNICODE.length] ?? "",
      status_code: statusEdges[i % statusEdges.length] ?? 200,
      user_agent: i % 2 === 0 ? 'uv/0.9.26 {"python":"3.12"}' : "pip/24.3 ✓",
      x_forwarded_for: i % 13 === 0 ? "2001:db8::1" : `203.0.113.${i % 256}`,
    });
  }
  return rows;
}

async function* fromArray<T>(rows: readonly T[]): AsyncGenerator<T> {
  yield* rows;
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

let dir: string;
let instance: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "parquet-test-"));
  instance = await DuckDBInstance.create(":memory:");
  duck = await instance.connect();
});

afterAll(async () => {
  duck.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
async function writeParquet(schema: ParquetSchema, rows: readonly ParquetRow[], rowGroupSize = 1_000): Promise<string> {
  fileCount += 1;
  const path = join(dir, `f${fileCount}.parquet`);
  await writeFile(path, await collect(createParquetEncoder(schema, { rowGroupSize }).write(fromArray(rows))));
  return path;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
}

async function duckTypes(path: string): Promise<Record<string, string>> {
  const rows = await query(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
  return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
}

describe("the Parquet encoder, read back by DuckDB", () => {
  const rows = pulpRows(4_321);
  let path: string;
  beforeAll(async () => {
    path = await writeParquet(PULP_ACCESS_LOG_SCHEMA, rows);
  });

  it("writes the Pulp schema as DuckDB types TIMESTAMP_NS, VARCHAR and SMALLINT, every column OPTIONAL as pyarrow writes it", async () => {
    expect(await duckTypes(path)).toEqual({
      timestamp: "TIMESTAMP_NS",
      message: "VARCHAR",
      user: "VARCHAR",
      org_id: "VARCHAR",
      domain: "VARCHAR",
      distribution: "VARCHAR",
      package: "VARCHAR",
      status_code: "SMALLINT",
      user_agent: "VARCHAR",
      x_forwarded_for: "VARCHAR",
    });
    const schema = await query(
      `SELECT name, type, logical_type, converted_type, repetition_type FROM parquet_schema('${path}') WHERE name IN ('timestamp', 'user', 'status_code')`,
    );
    expect(schema.find((r) => r.name === "timestamp")).toMatchObject({ type: "INT64", repetition_type: "OPTIONAL" });
    expect(String(schema.find((r) => r.name === "timestamp")?.logical_type)).toMatch(/isAdjustedToUTC=0.*NANOS/);
    expect(schema.find((r) => r.name === "user")).toMatchObject({ type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" });
    expect(schema.find((r) => r.name === "status_code")).toMatchObject({ type: "INT32", converted_type: "INT_16" });
  });

  it("keeps every row, null and unicode string, and int16 edge, in order", async () => {
    const back = await query(
      `SELECT file_row_number AS i, epoch_us("timestamp")::BIGINT AS us, * EXCLUDE ("timestamp", file_row_number) FROM read_parquet('${path}', file_row_number = true) ORDER BY file_row_number`,
    );
    expect(back).toHaveLength(rows.length);
    back.forEach((got, i) => {
      const { timestamp, ...rest } = rows[i] as PulpAccessLogRow;
      expect({ ...got, i: Number(got.i) }).toEqual({ i, us: (timestamp as bigint) / 1_000n, ...rest });
    });
    const [counts] = await query(
      `SELECT count(*) FILTER (WHERE "user" IS NULL)::INT AS users, count(*) FILTER (WHERE org_id IS NULL)::INT AS orgs, min(status_code) AS lo, max(status_code) AS hi FROM read_parquet('${path}')`,
    );
    expect(counts).toEqual({ users: rows.filter((r) => r.user === null).length, orgs: rows.filter((r) => r.org_id === null).length, lo: -32_768, hi: 32_767 });
  });

  it("stores the nanoseconds, which DuckDB and hyparquet read exactly", async () => {
    const [first] = await query(`SELECT "timestamp"::VARCHAR AS text FROM read_parquet('${path}') LIMIT 1 OFFSET 1`);
    expect(first?.text).toBe("2026-02-04 14:00:00.720345679"); // UTC wall-clock, to the nanosecond
    const stored = await parquetReadObjects({
      file: await asyncBufferFromFile(path),
      columns: ["timestamp"],
      parsers: { timestampFromNanoseconds: (ns: bigint) => ns },
    });
    expect(stored.map((r) => r.timestamp as bigint)).toEqual(rows.map((r) => r.timestamp));
  });

  it("writes Snappy row groups of the requested size", async () => {
    const groups = await query(
      `SELECT DISTINCT row_group_id, row_group_num_rows::INT AS n, compression FROM parquet_metadata('${path}') ORDER BY row_group_id`,
    );
    expect(groups.map((g) => g.n)).toEqual([1_000, 1_000, 1_000, 1_000, 321]);
    expect(new Set(groups.map((g) => g.compression))).toEqual(new Set(["SNAPPY"]));
  });

  it("gives the same bytes for the same rows, so a retried export overwrites with the same content", async () => {
    const again = await writeParquet(PULP_ACCESS_LOG_SCHEMA, rows);
    const [a, b] = await Promise.all([asyncBufferFromFile(path), asyncBufferFromFile(again)]);
    expect(Buffer.from(await b.slice(0))).toEqual(Buffer.from(await a.slice(0)));
  });
});

describe("every column type", () => {
  const schema: ParquetSchema = [
    { name: "ts", type: "timestamp_ns", nullable: true },
    { name: "s", type: "string", nullable: true },
    { name: "i16", type: "int16", nullable: true },
    { name: "i32", type: "int32", nullable: false },
    { name: "i64", type: "int64", nullable: true },
    { name: "b", type: "bool", nullable: true },
  ];
  const rows: ParquetRow[] = [
    { ts: new Date("2026-02-04T14:30:00.123Z"), s: "a", i16: 1, i32: -2_147_483_648, i64: 9_223_372_036_854_775_807n, b: true },
    { ts: null, s: null, i16: null, i32: 2_147_483_647, i64: -9_223_372_036_854_775_808n, b: null },
    { ts: 1n, s: "", i16: -1, i32: 0, i64: Number.MAX_SAFE_INTEGER, b: false, extra: "ignored" },
  ];

  it("maps to TIMESTAMP_NS, VARCHAR, SMALLINT, INTEGER, BIGINT and BOOLEAN with exact values", async () => {
    const path = await writeParquet(schema, rows);
    expect(await duckTypes(path)).toEqual({ ts: "TIMESTAMP_NS", s: "VARCHAR", i16: "SMALLINT", i32: "INTEGER", i64: "BIGINT", b: "BOOLEAN" });
    const back = await query(`SELECT epoch_us(ts)::BIGINT AS us, s, i16, i32, i64, b FROM read_parquet('${path}') ORDER BY i32`);
    expect(back).toEqual([
      { us: 1_770_215_400_123_000n, s: "a", i16: 1, i32: -2_147_483_648, i64: 9_223_372_036_854_775_807n, b: true },
      { us: 0n, s: "", i16: -1, i32: 0, i64: 9_007_199_254_740_991n, b: false },
      { us: null, s: null, i16: null, i32: 2_147_483_647, i64: -9_223_372_036_854_775_808n, b: null },
    ]);
  });

  it("writes a valid, empty file when there are no rows", async () => {
    const path = await writeParquet(PULP_ACCESS_LOG_SCHEMA, []);
    expect(await query(`SELECT count(*)::INT AS n FROM read_parquet('${path}')`)).toEqual([{ n: 0 }]);
    expect((await duckTypes(path)).timestamp).toBe("TIMESTAMP_NS");
  });
});

describe("streaming", () => {
  it("yields a row group's bytes before reading the next rows", async () => {
    let pulled = 0;
    async function* counted(): AsyncGenerator<ParquetRow> {
      for (const row of pulpRows(5_000)) {
        pulled += 1;
        yield row;
      }
    }
    const encoder = createParquetEncoder(PULP_ACCESS_LOG_SCHEMA, { rowGroupSize: 1_000, chunkBytes: 16 * 1024 });
    const pulledAtChunk: number[] = [];
    const parts: Uint8Array[] = [];
    for await (const chunk of encoder.write(counted())) {
      pulledAtChunk.push(pulled);
      parts.push(chunk);
    }
    expect(pulledAtChunk[0]).toBe(1_000); // the first bytes leave after the first group, not at the end
    expect(Math.max(...parts.map((p) => p.byteLength))).toBeLessThan(64 * 1024); // chunks stay near chunkBytes
    expect(
      Buffer.from(parts[0] ?? [])
        .subarray(0, 4)
        .toString(),
    ).toBe("PAR1");
    const path = join(dir, "streamed.parquet");
    await writeFile(path, Buffer.concat(parts));
    expect(await query(`SELECT count(*)::INT AS n FROM read_parquet('${path}')`)).toEqual([{ n: 5_000 }]);
  });

  it("also takes a plain (sync) iterable, and is a RecordEncoder for the engine", async () => {
    const encoder = createParquetEncoder(PULP_ACCESS_LOG_SCHEMA, { rowGroupSize: 10 });
    expect(encoder.extension).toBe("parquet");
    expect(encoder.contentType).toBe("application/vnd.apache.parquet");
    const fromSync = await collect(encoder.write(pulpRows(25)));
    const fromEngine = await collect(encoder.encode(fromArray(pulpRows(25)), []));
    expect(fromEngine).toEqual(fromSync);
  });
});

describe("rows that do not fit the schema", () => {
  const base = pulpRows(1)[0] as PulpAccessLogRow;
  // The Pulp schema with its columns required where the seed never writes a null, so required columns are checked too.
  const strict: ParquetSchema = PULP_ACCESS_LOG_SCHEMA.map((c) => ({ ...c, nullable: c.name === "user" || c.name === "org_id" }));
  const cases: [string, ParquetRow, string][] = [
    ["null in a required column", { ...base, message: null }, 'column "message": expected a string, got object null'],
    ["missing required column", { ...base, domain: undefined }, 'column "domain": expected a string'],
    ["int16 above range", { ...base, status_code: 32_768 }, 'column "status_code": expected an integer in [-32768, 32767], got number 32768'],
    ["int16 not an integer", { ...base, status_code: 200.5 }, "got number 200.5"],
    ["number where a string belongs", { ...base, org_id: 42 }, 'column "org_id": expected a string or null, got number 42'],
    [
      "timestamp as milliseconds number",
      { ...base, timestamp: 1_770_213_600_000 },
      'column "timestamp": expected nanoseconds since the epoch as a bigint, or a valid Date',
    ],
    ["invalid Date", { ...base, timestamp: new Date(Number.NaN) }, "got Date Invalid Date"],
  ];
  it.each(cases)("%s throws ParquetEncodeError naming the row and column", async (_name, bad, message) => {
    const encoder = createParquetEncoder(strict, { rowGroupSize: 10 });
    const error = await collect(encoder.write([base, base, bad])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParquetEncodeError);
    expect((error as ParquetEncodeError).rowIndex).toBe(2);
    expect((error as Error).message).toContain("row 2,");
    expect((error as Error).message).toContain(message);
    expect((error as ParquetEncodeError).retriable).toBe(false);
  });

  it("rejects a bad schema or options before writing anything", () => {
    expect(() => createParquetEncoder([])).toThrow(/at least one column/);
    expect(() =>
      createParquetEncoder([
        { name: "a", type: "string", nullable: false },
        { name: "a", type: "bool", nullable: false },
      ]),
    ).toThrow(/duplicate/);
    expect(() => createParquetEncoder(PULP_ACCESS_LOG_SCHEMA, { rowGroupSize: 0 })).toThrow(/rowGroupSize/);
  });
});
