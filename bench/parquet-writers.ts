/**
 * `npm run bench -- parquet-writers`: which Parquet writer the AWS export uses,
 * measured (docs/parquet-writers.md quotes this table).
 *
 * Every writer writes the same deterministic rows of the Pulp access-log
 * schema (bench/parquet-writers-rows.ts) in 100K-row groups with Snappy, at
 * 100,000 and 1,000,000 rows, each run in its own child process
 * (bench/parquet-writers-worker.ts) so `maxRSS` is that writer's. Every file is
 * then read back with DuckDB (@duckdb/node-api) and checked: row count, nulls,
 * string bytes, status_code as SMALLINT, the timestamp type and values (to the
 * nanosecond where DuckDB keeps them, to the microsecond where it does not,
 * and the nanoseconds in the file itself through hyparquet, the winner's
 * reader), plus a few whole rows by position.
 *
 * Only the winner (hyparquet-writer) and @duckdb/node-api are project
 * dependencies. The other candidates are installed on demand into the
 * git-ignored `.bench/parquet-candidates/` with
 *   npm install --prefix .bench/parquet-candidates --no-save --no-package-lock <CANDIDATE_PACKAGES>
 * (pinned below; a matching install is reused). Files go to
 * `.bench/parquet-writers/` and are deleted once checked.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { asyncBufferFromFile, parquetRead } from "hyparquet";
import { formatBytes, renderTable } from "../cli/table.js";
import { benchExpectation, STRING_COLUMNS, type BenchExpectation, type PulpBenchRow } from "./parquet-writers-rows.js";
import { CANDIDATES_DIR, ROW_GROUP_SIZE, type WorkerResult, type WriterName } from "./parquet-writers-worker.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const OUT_DIR = join(ROOT, ".bench", "parquet-writers");
const WORKER = join(import.meta.dirname, "parquet-writers-worker.ts");
const SIZES = [100_000, 1_000_000] as const;
/** The capped run's heap budget: Lambda-sized, well above what the encoder needs, far below V8's default here (docs: the memory finding). */
const HEAP_CAP_MB = 1024;

/** Pinned so the table is reproducible; @dsnp/parquetjs 1.9 needs Node ≥ 24.18, 1.8.8 is its last release for Node 20. */
export const CANDIDATE_PACKAGES: Readonly<Record<string, string>> = {
  "@dsnp/parquetjs": "1.8.8",
  "parquetjs-lite": "0.8.7",
  "parquet-wasm": "0.8.0",
  "apache-arrow": "21.2.0",
};

interface Contender {
  readonly writer: WriterName;
  readonly label: string;
  readonly nodeFlags?: readonly string[];
  /** Runs at 1M rows, best wall time kept: the DuckDB ratio compares these two, so they get repeats against a noisy machine. */
  readonly repeats?: number;
  /** Yields file bytes before the file is complete, with bounded buffering (so S3 multipart can follow). */
  readonly streams: string;
}

async function installedVersion(packageDir: string): Promise<string | undefined> {
  try {
    // @dsnp/parquetjs 1.8.8 spells its version "v1.8.8".
    return (JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as { version?: string }).version?.replace(/^v/, "");
  } catch {
    return undefined;
  }
}

async function ensureCandidates(): Promise<void> {
  const wanted = Object.entries(CANDIDATE_PACKAGES);
  const installed = await Promise.all(wanted.map(([name]) => installedVersion(join(CANDIDATES_DIR, "node_modules", name))));
  if (wanted.every(([, version], i) => installed[i] === version)) return;
  const specs = wanted.map(([name, version]) => `${name}@${version}`);
  process.stdout.write(`  installing the other candidates into ${CANDIDATES_DIR}: ${specs.join(" ")}\n`);
  await mkdir(CANDIDATES_DIR, { recursive: true });
  await run("npm", ["install", "--prefix", CANDIDATES_DIR, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", ...specs], {
    cwd: ROOT,
    maxBuffer: 16 << 20,
  });
}

async function contenders(): Promise<Contender[]> {
  const version = async (name: string, dir: string) => `${name} ${(await installedVersion(join(dir, "node_modules", name))) ?? "?"}`;
  const candidate = (name: string) => version(name, CANDIDATES_DIR);
  const hyparquet = await version("hyparquet-writer", ROOT);
  return [
    { writer: "rows-only", label: "(row generation only, no Parquet)", streams: "–" },
    { writer: "our-encoder", label: `${hyparquet}: shared/formats/parquet → file stream`, streams: "yes (1 MiB chunks)", repeats: 3 },
    {
      writer: "our-encoder",
      label: `${hyparquet}: same, --max-old-space-size=${HEAP_CAP_MB}`,
      nodeFlags: [`--max-old-space-size=${HEAP_CAP_MB}`],
      streams: "yes (1 MiB chunks)",
    },
    { writer: "hyparquet-filewriter", label: `${hyparquet}: its fileWriter (FIELD-NOTES setup)`, streams: "sync file appends only" },
    { writer: "dsnp-parquetjs", label: `${await candidate("@dsnp/parquetjs")} (appendRow)`, streams: "yes (openStream)" },
    { writer: "parquetjs-lite", label: `${await candidate("parquetjs-lite")} (appendRow)`, streams: "yes (openStream)" },
    {
      writer: "parquet-wasm",
      label: `${await candidate("parquet-wasm")} + ${await candidate("apache-arrow")} (transformParquetStream)`,
      streams: "yes (ReadableStream)",
    },
    { writer: "duckdb", label: `${await version("@duckdb/node-api", ROOT)} (appender + COPY)`, streams: "no (table in memory)", repeats: 3 },
  ];
}

interface Fidelity {
  timestampType: string;
  timestampPhysical: string;
  timestampValues: string;
  statusType: string;
  problems: string[];
}

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

async function rowsOf(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
}

/** Sum of the timestamps as stored in the file, through hyparquet (which keeps NANOS as bigint when asked). */
async function fileNanosecondSum(path: string): Promise<bigint> {
  let sum = 0n;
  await parquetRead({
    file: await asyncBufferFromFile(path),
    columns: ["timestamp"],
    parsers: { timestampFromNanoseconds: (nanos: bigint) => nanos },
    onChunk: ({ columnData }) => {
      for (const value of columnData) sum += value as bigint;
    },
  });
  return sum;
}

/** What DuckDB reads back from one file, against what the generator wrote. */
async function checkFile(connection: DuckDBConnection, path: string, expected: BenchExpectation): Promise<Fidelity> {
  const file = sqlString(path);
  const problems: string[] = [];
  const types = new Map((await rowsOf(connection, `DESCRIBE SELECT * FROM read_parquet(${file})`)).map((r) => [String(r.column_name), String(r.column_type)]));
  const timestampType = types.get("timestamp") ?? "missing";
  const statusType = types.get("status_code") ?? "missing";
  if (statusType !== "SMALLINT") problems.push(`status_code is ${statusType}`);
  for (const column of STRING_COLUMNS) if (types.get(column) !== "VARCHAR") problems.push(`${column} is ${types.get(column) ?? "missing"}`);
  const physical = (await rowsOf(connection, `SELECT logical_type, converted_type FROM parquet_schema(${file}) WHERE name = 'timestamp'`))[0];
  const logical = String(physical?.logical_type ?? "");
  const unit = /NANOS=NanoSeconds/.test(logical)
    ? "NANOS"
    : /MICROS=MicroSeconds/.test(logical) || String(physical?.converted_type) === "TIMESTAMP_MICROS"
      ? "MICROS"
      : /MILLIS=MilliSeconds/.test(logical)
        ? "MILLIS"
        : "?";
  const utc = /isAdjustedToUTC=(1|true)/.test(logical) ? "UTC" : /isAdjustedToUTC=(0|false)/.test(logical) ? "local" : "no flag";
  const timestampPhysical = `${unit}, ${utc}`;

  const byteSums = STRING_COLUMNS.map((c) => `sum(strlen("${c}"))::BIGINT AS "${c}"`).join(", ");
  const totals =
    (
      await rowsOf(
        connection,
        `SELECT count(*)::BIGINT AS n, count(*) FILTER (WHERE "user" IS NULL)::BIGINT AS null_users, count(*) FILTER (WHERE org_id IS NULL)::BIGINT AS null_orgs, sum(status_code)::BIGINT AS status_sum, sum(epoch_ns("timestamp"))::HUGEINT AS ns_sum, sum(epoch_us("timestamp"))::HUGEINT AS us_sum, ${byteSums} FROM read_parquet(${file})`,
      )
    )[0] ?? {};
  const same = (what: string, got: unknown, want: number | bigint) => {
    if (BigInt(String(got)) !== BigInt(want)) problems.push(`${what} ${String(got)} ≠ ${want}`);
  };
  same("rows", totals.n, expected.rows);
  same("null users", totals.null_users, expected.nullUsers);
  same("null org_ids", totals.null_orgs, expected.nullOrgIds);
  same("status_code sum", totals.status_sum, expected.statusSum);
  for (const column of STRING_COLUMNS) same(`${column} bytes`, totals[column], expected.stringBytes[column] ?? 0);

  const nsExact = BigInt(String(totals.ns_sum)) === expected.timestampNsSum;
  const usExact = BigInt(String(totals.us_sum)) === expected.timestampUsSum;
  let timestampValues: string;
  if (nsExact) timestampValues = "exact to the ns";
  else if (usExact) {
    timestampValues = "exact to the µs (DuckDB holds no more)";
    if (unit === "NANOS") timestampValues += (await fileNanosecondSum(path)) === expected.timestampNsSum ? "; ns exact in the file" : "; ns WRONG in the file";
    else timestampValues += "; ns lost by the writer";
  } else {
    timestampValues = "WRONG";
    problems.push("timestamp values differ");
  }

  const positions = [...expected.samples.keys()];
  const samples = await rowsOf(
    connection,
    `SELECT file_row_number AS pos, epoch_ns("timestamp")::BIGINT AS ns, * EXCLUDE ("timestamp", file_row_number) FROM read_parquet(${file}, file_row_number = true) WHERE file_row_number IN (${positions.join(",")}) ORDER BY pos`,
  );
  if (samples.length !== positions.length) problems.push(`${samples.length} of ${positions.length} sample rows found`);
  for (const sample of samples) {
    const want = expected.samples.get(Number(sample.pos));
    if (want === undefined) continue;
    const wantNs = timestampType === "TIMESTAMP_NS" ? want.timestamp : (want.timestamp / 1_000n) * 1_000n;
    if (BigInt(String(sample.ns)) !== wantNs) problems.push(`row ${String(sample.pos)}: timestamp`);
    for (const key of Object.keys(want) as (keyof PulpBenchRow)[]) {
      if (key !== "timestamp" && sample[key] !== want[key]) problems.push(`row ${String(sample.pos)}: ${key}`);
    }
  }
  return { timestampType, timestampPhysical, timestampValues, statusType, problems };
}

interface Measured extends WorkerResult {
  rows: number;
  fidelity?: Fidelity;
}

async function runWorker(contender: Contender, rows: number, out: string): Promise<WorkerResult> {
  const args = [...(contender.nodeFlags ?? []), "--import", "tsx", WORKER, contender.writer, String(rows), out];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as WorkerResult;
}

const rate = (rows: number, seconds: number) => Math.round(rows / seconds);
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;

/** The writers side by side: speed against DuckDB, peak RSS 100K vs 1M, file size, and what DuckDB reads back. */
export async function benchParquetWriters(): Promise<void> {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  process.stdout.write(
    `Parquet writers: the Pulp access-log schema, ~260-byte messages, Snappy, ${ROW_GROUP_SIZE.toLocaleString("en")}-row groups, ${SIZES.map((s) => s.toLocaleString("en")).join(" and ")} rows; ` +
      `each run in its own process (Node ${process.version}, ${cpus().length} × ${cpu}). Wall time includes generating the rows (see the first line).\n\n`,
  );
  await ensureCandidates();
  await mkdir(OUT_DIR, { recursive: true });
  const list = await contenders();
  const results = new Map<Contender, Map<number, Measured>>(list.map((c) => [c, new Map()]));
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const rows of SIZES) {
      const expected = benchExpectation(rows);
      for (const [index, contender] of list.entries()) {
        const out = join(OUT_DIR, `${index}-${contender.writer}-${rows}.parquet`);
        const repeats = rows === SIZES[SIZES.length - 1] ? (contender.repeats ?? 1) : 1;
        process.stdout.write(`  ${contender.label}, ${rows.toLocaleString("en")} rows${repeats > 1 ? `, best of ${repeats}` : ""}… `);
        const runs: WorkerResult[] = [];
        for (let r = 0; r < repeats; r += 1) runs.push(await runWorker(contender, rows, out));
        // Best wall time (least disturbed by the rest of the machine), highest peak RSS (the conservative one).
        const result = runs.reduce((best, next) => (next.seconds < best.seconds ? next : best));
        result.peakRssBytes = Math.max(...runs.map((r) => r.peakRssBytes));
        if (repeats > 1) process.stdout.write(`[${runs.map((r) => r.seconds.toFixed(2)).join(", ")} s] `);
        const measured: Measured = { ...result, rows };
        if (contender.writer !== "rows-only") {
          measured.fidelity = await checkFile(connection, out, expected);
          await rm(out, { force: true });
        }
        results.get(contender)?.set(rows, measured);
        process.stdout.write(
          `${result.seconds.toFixed(2)} s, ${mib(result.peakRssBytes)}${measured.fidelity && measured.fidelity.problems.length > 0 ? `, PROBLEMS: ${measured.fidelity.problems.join("; ")}` : ""}\n`,
        );
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }

  const [small, large] = SIZES;
  const duck = list.find((c) => c.writer === "duckdb");
  const duckLarge = duck === undefined ? undefined : results.get(duck)?.get(large);
  const duckRate = duckLarge === undefined ? 0 : rate(large, duckLarge.seconds);
  const speed: (string | number)[][] = [["writer", "1M wall s", "1M rows/s", "× DuckDB", "RSS 100K", "RSS 1M", "1M/100K", "file 1M", "B/row"]];
  const fidelity: (string | number)[][] = [
    ["writer", "timestamp in the file", "DuckDB reads timestamp as", "timestamp values", "status_code", "rows, nulls, strings, samples", "streams"],
  ];
  for (const contender of list) {
    const a = results.get(contender)?.get(small);
    const b = results.get(contender)?.get(large);
    if (a === undefined || b === undefined) continue;
    const isFile = contender.writer !== "rows-only";
    speed.push([
      contender.label,
      Number(b.seconds.toFixed(2)),
      rate(large, b.seconds),
      duckRate > 0 && isFile ? Number((rate(large, b.seconds) / duckRate).toFixed(2)) : "–",
      mib(a.peakRssBytes),
      mib(b.peakRssBytes),
      Number((b.peakRssBytes / a.peakRssBytes).toFixed(2)),
      isFile ? formatBytes(b.bytes) : "–",
      isFile ? Number((b.bytes / large).toFixed(1)) : "–",
    ]);
    const f = b.fidelity;
    const fa = a.fidelity;
    if (f !== undefined && fa !== undefined) {
      const problems = [...fa.problems.map((p) => `100K: ${p}`), ...f.problems.map((p) => `1M: ${p}`)];
      fidelity.push([
        contender.label,
        f.timestampPhysical,
        f.timestampType,
        f.timestampValues,
        f.statusType,
        problems.length === 0 ? "exact" : problems.join("; "),
        contender.streams,
      ]);
    }
  }
  process.stdout.write(`\n${renderTable(speed)}\n\n${renderTable(fidelity)}\n`);
  if (duckLarge?.copySeconds !== undefined) {
    process.stdout.write(
      `\nDuckDB's COPY … TO parquet alone: ${duckLarge.copySeconds.toFixed(2)} s for 1M rows (${rate(large, duckLarge.copySeconds)} rows/s); the rest is the appender.\n`,
    );
  }
  const ours = list.find((c) => c.writer === "our-encoder");
  const oursLarge = ours === undefined ? undefined : results.get(ours)?.get(large);
  if (oursLarge !== undefined && duckRate > 0) {
    process.stdout.write(
      `our encoder / DuckDB (appender + COPY), rows/s at 1M rows, best of 3 each: ${(rate(large, oursLarge.seconds) / duckRate).toFixed(2)}\n`,
    );
  }
}
