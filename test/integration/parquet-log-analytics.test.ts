/**
 * Typed Parquet for Log Analytics tables, read back by DuckDB: a generated table with every column type
 * of the service (edge values included: nulls, empty strings, long minimum and maximum, NaN and
 * infinite reals, datetimes at the edges of their range, 64-bit integers and deep nesting in dynamic
 * values) exported through the fake query API and Azurite, compared value by value with what the API
 * returned; a window exported twice gives identical bytes; a table that gains a column between windows;
 * 500 columns.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { silentLogger as silent } from "../../shared/core/logger.js";
import { HOUR_MS } from "../../shared/core/time.js";
import type { LogSource } from "../../shared/core/ports.js";
import type { Column, LogRecord } from "../../shared/core/records.js";
import { exportWindow } from "../../shared/engine/export-window.js";
import { manifestName } from "../../shared/engine/naming.js";
import { sanitizingTransform } from "../../shared/engine/transform.js";
import { createLogAnalyticsParquetEncoder, datetimeTicks, logAnalyticsPlan, timespanTicks } from "../../shared/formats/parquet/log-analytics.js";
import { IdentitySanitizer } from "../../shared/sanitize/identity.js";
import { parseJsonExact, stringifyJson } from "../../shared/sanitize/json-exact.js";
import { ddlCommand } from "../../cli/commands/ddl.js";
import { createAzureStack, type AzureStack } from "../helpers/azure-stack.js";
import { capturedIO } from "../helpers/cli-io.js";
import { manifests } from "../helpers/exported.js";
import { MemoryObjectStore } from "../helpers/memory-store.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { SyntheticTable, type SyntheticColumn, type SyntheticValue } from "../helpers/synthetic-table.js";

const HOUR = Date.UTC(2026, 10, 20, 10);
const NOW = HOUR + 2 * HOUR_MS;
const WINDOW = { startMs: HOUR, endMs: HOUR + HOUR_MS };
const COLUMNS: SyntheticColumn[] = [
  { name: "TimeGenerated", type: "datetime" },
  ...(["string", "datetime", "long", "int", "real", "bool", "dynamic", "guid", "timespan", "decimal"] as const).map((type) => ({
    name: `c_${type}`,
    type,
    extremes: true,
  })),
];
const connectionString = inject("azuriteConnectionString");

let fake: FakeLogAnalytics;
let dir: string;
let duck: DuckDBConnection;

function typed(name: string, columns: SyntheticColumn[], perMinute = 40): SyntheticTable {
  return new SyntheticTable({ name, columns, bytesPerRow: 300, rowsInMinute: (m) => (m >= HOUR && m < HOUR + 2 * HOUR_MS ? perMinute : 0) });
}

beforeAll(async () => {
  const wide: SyntheticColumn[] = [
    { name: "TimeGenerated", type: "datetime" },
    ...Array.from(
      { length: 499 },
      (_, i): SyntheticColumn => ({ name: `Col${i}`, type: (["string", "long", "real", "bool", "dynamic"] as const)[i % 5] ?? "string" }),
    ),
  ];
  fake = await startFakeLogAnalytics({ tables: [typed("Typed_CL", COLUMNS), typed("Wide_CL", wide, 2)] });
  dir = await mkdtemp(join(tmpdir(), "parquet-la-"));
  duck = await (await DuckDBInstance.create(":memory:")).connect();
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function stack(tables: string[]): Promise<AzureStack> {
  return createAzureStack({
    connectionString,
    fake,
    tables,
    clock: { now: () => NOW },
    settings: { LOGEXPORT_FORMAT: "parquet", LOGEXPORT_SANITIZE: "off", LOGEXPORT_PART_MAX_ROWS: "1000" },
  });
}

/** Downloads the window's objects as its manifest lists them and returns the DuckDB list of their paths. */
async function localFiles(s: AzureStack, table: string, tag: string): Promise<string> {
  const [manifest] = await manifests(s.state, table);
  const paths: string[] = [];
  for (const [i, object] of (manifest?.objects ?? []).entries()) {
    const path = join(dir, `${tag}-${i}.parquet`);
    await writeFile(path, await s.data.getBlobClient(object.name).downloadToBuffer());
    paths.push(`'${path}'`);
  }
  return `[${paths.join(", ")}]`;
}

/** What DuckDB must read for a value the API sent, in the form the query below selects it. */
function expected(type: string, value: SyntheticValue): unknown {
  if (value === null) return null;
  switch (type) {
    case "datetime":
      return datetimeTicks(String(value));
    case "timespan":
      return timespanTicks(String(value));
    case "long":
      return BigInt(value);
    case "real":
      return value === "NaN" ? Number.NaN : value === "Infinity" ? Number.POSITIVE_INFINITY : value === "-Infinity" ? Number.NEGATIVE_INFINITY : value;
    case "dynamic": {
      // A dynamic holding JSON null is a null cell.
      const parsed = parseJsonExact(String(value));
      return parsed === null ? null : stringifyJson(parsed);
    }
    default:
      return value;
  }
}

/** Each column as a comparable value: datetimes as 100 ns ticks (microseconds × 10 + the _100ns digit), JSON as its text. */
function selectList(): string {
  return COLUMNS.map(({ name, type }) => {
    if (type === "datetime") return `epoch_us("${name}")::BIGINT * 10 + "${name}_100ns" AS "${name}"`;
    if (type === "dynamic") return `"${name}"::VARCHAR AS "${name}"`;
    return `"${name}"`;
  }).join(", ");
}

describe("typed Parquet for Log Analytics tables, read by DuckDB", () => {
  it("keeps every type's values, edges included, column by column for a whole generated window", async () => {
    const s = await stack(["Typed_CL"]);
    expect((await s.exporter.exportWindow({ table: "Typed_CL", window: WINDOW, runId: "parquet", reason: "manual", force: false }, silent)).status).toBe(
      "exported",
    );
    const [manifest] = await manifests(s.state, "Typed_CL");
    expect(manifest?.format).toMatchObject({ extension: "parquet", name: "parquet", writer: expect.stringMatching(/^hyparquet-writer /), codec: "GZIP" });
    expect(((manifest?.format.schema ?? []) as { name: string; type: string }[]).map((c) => [c.name, c.type])).toEqual([
      ["TimeGenerated", "timestamp_us_utc"],
      ["TimeGenerated_100ns", "int8"],
      ["c_string", "string"],
      ["c_datetime", "timestamp_us_utc"],
      ["c_datetime_100ns", "int8"],
      ["c_long", "int64"],
      ["c_int", "int32"],
      ["c_real", "double"],
      ["c_bool", "bool"],
      ["c_dynamic", "json"],
      ["c_guid", "string"],
      ["c_timespan", "int64"],
      ["c_decimal", "string"],
    ]);
    const files = await localFiles(s, "Typed_CL", "typed");
    const types = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${files})`)).getRowObjectsJS().map((r) => [r.column_name, r.column_type]);
    expect(types).toEqual([
      ["TimeGenerated", "TIMESTAMP WITH TIME ZONE"],
      ["TimeGenerated_100ns", "TINYINT"],
      ["c_string", "VARCHAR"],
      ["c_datetime", "TIMESTAMP WITH TIME ZONE"],
      ["c_datetime_100ns", "TINYINT"],
      ["c_long", "BIGINT"],
      ["c_int", "INTEGER"],
      ["c_real", "DOUBLE"],
      ["c_bool", "BOOLEAN"],
      ["c_dynamic", "VARCHAR"],
      ["c_guid", "VARCHAR"],
      ["c_timespan", "BIGINT"],
      ["c_decimal", "VARCHAR"],
    ]);
    // dynamic: JSON text with the JSON logical type (and UTF8 as the legacy annotation, which DuckDB reads first).
    const firstFile = /'([^']+)'/.exec(files)?.[1] ?? "";
    const [dynamic] = (
      await duck.runAndReadAll(`SELECT converted_type, logical_type FROM parquet_schema('${firstFile}') WHERE name = 'c_dynamic'`)
    ).getRowObjectsJS();
    expect(dynamic).toEqual({ converted_type: "UTF8", logical_type: expect.stringMatching(/^JsonType/) });
    const read = (await duck.runAndReadAll(`SELECT ${selectList()} FROM read_parquet(${files})`)).getRowObjectsJS();
    const source = [...fake.table("Typed_CL").rows(WINDOW.startMs, WINDOW.endMs)];
    expect(read).toHaveLength(source.length);
    let edges = 0;
    source.forEach((row, r) => {
      COLUMNS.forEach(({ name, type }, c) => {
        const want = expected(type, row[c] ?? null);
        const got = read[r]?.[name];
        if (typeof want === "number" && Number.isNaN(want)) expect(Number.isNaN(got), `${name}, row ${r}`).toBe(true);
        else expect(got, `${name}, row ${r}: API ${String(row[c])}`).toEqual(want);
      });
      if (row.some((v) => v === null)) edges += 1;
    });
    // The generated edges are there to be checked: nulls in a good share of the rows.
    expect(edges).toBeGreaterThan(source.length / 10);
  });

  it("writes identical bytes when the same window is exported again", async () => {
    const s = await stack(["Typed_CL"]);
    await s.exporter.exportWindow({ table: "Typed_CL", window: WINDOW, runId: "a", reason: "manual", force: false }, silent);
    const first = (await manifests(s.state, "Typed_CL"))[0]?.objects.map((o) => o.sha256);
    await s.exporter.exportWindow({ table: "Typed_CL", window: WINDOW, runId: "b", reason: "manual", force: true }, silent);
    const second = await manifests(s.state, "Typed_CL");
    expect(second[0]?.version).toBe(2);
    expect(second[0]?.objects.map((o) => o.sha256)).toEqual(first);
  });

  it("writes a table of 500 columns", async () => {
    const s = await stack(["Wide_CL"]);
    await s.exporter.exportWindow({ table: "Wide_CL", window: WINDOW, runId: "wide", reason: "manual", force: false }, silent);
    const files = await localFiles(s, "Wide_CL", "wide");
    const [count] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(Col498)::INTEGER AS filled FROM read_parquet(${files})`)).getRowObjectsJS();
    expect(count).toEqual({
      n: fake.table("Wide_CL").rowsIn(WINDOW.startMs, WINDOW.endMs),
      filled: fake.table("Wide_CL").rowsIn(WINDOW.startMs, WINDOW.endMs),
    });
    expect((await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${files})`)).getRowObjectsJS()).toHaveLength(501);
  });
});

describe("a table whose schema changes", () => {
  it("gains a column between windows: each file describes itself, each manifest lists its schema, and DuckDB reads both windows by name", async () => {
    const windows = [WINDOW, { startMs: WINDOW.endMs, endMs: WINDOW.endMs + HOUR_MS }];
    const columnsOf = (startMs: number): Column[] => [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Message", type: "string" },
      ...(startMs >= WINDOW.endMs ? [{ name: "Added", type: "long" }] : []),
    ];
    const source: LogSource = {
      description: "scripted",
      histogramQuery: () => "histogram",
      histogram: async (_table, range) => [{ startMs: range.startMs, endMs: range.endMs, rows: 3, bytes: 300 }],
      openPart: async (_table, range) => {
        const columns = columnsOf(range.startMs);
        async function* rows(): AsyncIterable<LogRecord> {
          for (let i = 0; i < 3; i += 1)
            yield {
              TimeGenerated: new Date(range.startMs + i * 1000).toISOString().replace("Z", "1234Z"),
              Message: `m${i}`,
              ...(columns.length > 2 ? { Added: BigInt(i) } : {}),
            };
        }
        return { query: "rows", columns, rows: rows() };
      },
    };
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    for (const window of windows) {
      await exportWindow(
        {
          source,
          data,
          state,
          layout: { kind: "part-objects", prefix: "" },
          encoder: createLogAnalyticsParquetEncoder(),
          createTransform: () => sanitizingTransform(new IdentitySanitizer()),
          concurrency: 1,
          budget: { maxRows: 1000, maxBytes: 1e9 },
          partRetry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
          clock: { now: () => NOW },
          logger: silent,
        },
        { table: "Grows_CL", window, runId: "grow", reason: "manual", force: false },
      );
    }
    const schemas = await Promise.all(
      windows.map(async (window) =>
        JSON.parse((await state.readText(manifestName("Grows_CL", window)))?.text ?? "{}").format.schema.map((c: { name: string }) => c.name),
      ),
    );
    expect(schemas).toEqual([
      ["TimeGenerated", "TimeGenerated_100ns", "Message"],
      ["TimeGenerated", "TimeGenerated_100ns", "Message", "Added"],
    ]);
    const paths = await Promise.all(
      data.names().map(async (name, i) => {
        const path = join(dir, `grows-${i}.parquet`);
        await writeFile(path, data.objects.get(name)?.data ?? Buffer.alloc(0));
        return `'${path}'`;
      }),
    );
    const rows = (
      await duck.runAndReadAll(`SELECT Message, Added FROM read_parquet([${paths.join(", ")}], union_by_name = true) ORDER BY TimeGenerated`)
    ).getRowObjectsJS();
    expect(rows).toEqual([
      { Message: "m0", Added: null },
      { Message: "m1", Added: null },
      { Message: "m2", Added: null },
      { Message: "m0", Added: 0n },
      { Message: "m1", Added: 1n },
      { Message: "m2", Added: 2n },
    ]);
  });
});

describe("logexport ddl", () => {
  it("prints a DuckDB view that, run as printed over the exported files, returns the source's counts per hour", async () => {
    const s = await stack(["Typed_CL"]);
    for (const startMs of [WINDOW.startMs, WINDOW.endMs])
      await s.exporter.exportWindow({ table: "Typed_CL", window: { startMs, endMs: startMs + HOUR_MS }, runId: "ddl", reason: "manual", force: false }, silent);
    // The container as a local directory, names and folders as they are.
    const root = join(dir, "container");
    for (const name of await s.list(s.data)) {
      await mkdir(dirname(join(root, name)), { recursive: true });
      await writeFile(join(root, name), await s.data.getBlobClient(name).downloadToBuffer());
    }
    const io = capturedIO({ now: () => NOW, env: { AZURE_STORAGE_CONNECTION_STRING: connectionString } });
    expect(
      await ddlCommand(["--table", "Typed_CL", "--engine", "duckdb", "--location", root, "--state-container", s.env.LOGEXPORT_STATE_CONTAINER as string], io),
    ).toBe(0);
    await duck.run(io.out());
    const counts = (
      await duck.runAndReadAll(`SELECT hour::INTEGER AS hour, count(*)::INTEGER AS n FROM "Typed_CL" GROUP BY hour ORDER BY hour`)
    ).getRowObjectsJS();
    const table = fake.table("Typed_CL");
    expect(counts).toEqual([
      { hour: 10, n: table.rowsIn(WINDOW.startMs, WINDOW.endMs) },
      { hour: 11, n: table.rowsIn(WINDOW.endMs, WINDOW.endMs + HOUR_MS) },
    ]);
  });

  it.each(["athena", "databricks", "synapse"] as const)("prints the %s statement of the golden file for the newest manifest's columns", async (engine) => {
    const s = await stack(["Typed_CL"]);
    await s.exporter.exportWindow({ table: "Typed_CL", window: WINDOW, runId: "ddl", reason: "manual", force: false }, silent);
    const locations = {
      athena: "s3://archive-bucket/logs",
      databricks: "abfss://log-exports@account.dfs.core.windows.net/logs",
      synapse: "https://account.dfs.core.windows.net/log-exports/logs",
    };
    const io = capturedIO({ now: () => NOW, env: { AZURE_STORAGE_CONNECTION_STRING: connectionString } });
    expect(
      await ddlCommand(
        [
          "--table",
          "Typed_CL",
          "--engine",
          engine,
          "--location",
          locations[engine],
          "--name",
          "typed_cl",
          "--state-container",
          s.env.LOGEXPORT_STATE_CONTAINER as string,
        ],
        io,
      ),
    ).toBe(0);
    expect(io.out()).toBe(await readFile(new URL(`../golden/ddl/${engine}.sql`, import.meta.url), "utf8"));
  });

  it("refuses an engine it does not know and a table whose newest window is JSON Lines", async () => {
    const s = await createAzureStack({ connectionString, fake, tables: ["Typed_CL"], clock: { now: () => NOW }, settings: { LOGEXPORT_SANITIZE: "off" } });
    await s.exporter.exportWindow({ table: "Typed_CL", window: WINDOW, runId: "ddl", reason: "manual", force: false }, silent);
    const io = capturedIO({ now: () => NOW, env: { AZURE_STORAGE_CONNECTION_STRING: connectionString } });
    const argv = ["--table", "Typed_CL", "--location", "/x", "--state-container", s.env.LOGEXPORT_STATE_CONTAINER as string];
    await expect(ddlCommand([...argv, "--engine", "hive"], io)).rejects.toThrow(/--engine must be one of duckdb, athena, databricks, synapse/);
    await expect(ddlCommand([...argv, "--engine", "duckdb"], io)).rejects.toThrow(/is jsonl.gz, not Parquet/);
  });
});

describe("sanitized values in typed columns", () => {
  it("a long the sanitizer redacted (it passed as a card number) is null in its BIGINT column, counted by the sanitizer", async () => {
    const plan = logAnalyticsPlan([
      { name: "TimeGenerated", type: "datetime" },
      { name: "Sequence", type: "long" },
      { name: "Note", type: "string" },
    ]);
    const row: Record<string, unknown> = {};
    plan.fill({ TimeGenerated: "[REDACTED:card]", Sequence: "[REDACTED:card]", Note: "[REDACTED:card]" }, row, 0);
    expect(row).toEqual({ TimeGenerated: null, TimeGenerated_100ns: null, Sequence: null, Note: "[REDACTED:card]" });
    expect(() => plan.fill({ TimeGenerated: null, Sequence: "not a number", Note: null }, {}, 3)).toThrow(
      /row 3, column "Sequence" \(long\): cannot write string "not a number"/,
    );
  });
});
