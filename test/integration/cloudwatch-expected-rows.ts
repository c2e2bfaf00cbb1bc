import type { DuckDBConnection } from "@duckdb/node-api";
import type { PulpLogEvent } from "../helpers/pulp-log-stream.js";

/** The kinds of line that become rows of the access export. */
export const ACCESS_ROW_KINDS: ReadonlySet<string> = new Set(["access", "anonymous", "pypiNonPackage", "threat"]);

/** A row of the seed's schema as DuckDB reads it back, the timestamp as epoch ms. */
export interface AccessRow {
  readonly timestamp: number;
  readonly message: string;
  readonly user: string | null;
  readonly org_id: string | null;
  readonly domain: string;
  readonly distribution: string;
  readonly package: string;
  readonly status_code: number;
  readonly user_agent: string;
  readonly x_forwarded_for: string;
}

/** The row an event must become, built from the truth the stream made its line from (no second parser): undefined for lines that are no row. */
export function expectedAccessRow(event: PulpLogEvent): AccessRow | undefined {
  const a = event.access;
  if (!ACCESS_ROW_KINDS.has(event.kind) || a === undefined) return undefined;
  return {
    timestamp: event.timestamp,
    message: event.line,
    user: a.user,
    org_id: a.orgId,
    domain: a.domain ?? "",
    distribution: a.distribution ?? "",
    package: a.package ?? "",
    status_code: a.statusCode,
    user_agent: a.userAgent ?? "",
    x_forwarded_for: a.xForwardedFor?.split(",")[0]?.trim() ?? "",
  };
}

export function expectedAccessRows(events: Iterable<PulpLogEvent>): AccessRow[] {
  const rows: AccessRow[] = [];
  for (const event of events) {
    const row = expectedAccessRow(event);
    if (row !== undefined) rows.push(row);
  }
  return rows;
}

/** Every row of a Parquet file with the seed's columns, read by DuckDB. */
export async function readAccessRows(duck: DuckDBConnection, file: string): Promise<AccessRow[]> {
  const sql =
    `SELECT epoch_ms("timestamp")::DOUBLE AS "timestamp", message, "user", org_id, domain, distribution, package, status_code::INTEGER AS status_code, user_agent, x_forwarded_for ` +
    `FROM '${file}'`;
  return (await duck.runAndReadAll(sql)).getRowObjectsJS() as unknown as AccessRow[];
}

const COLUMNS = [
  "timestamp",
  "message",
  "user",
  "org_id",
  "domain",
  "distribution",
  "package",
  "status_code",
  "user_agent",
  "x_forwarded_for",
] as const satisfies ReadonlyArray<keyof AccessRow>;

/** Sorted by (timestamp, message): the pairing key of rows read back and rows expected. */
function byKey(rows: readonly AccessRow[]): AccessRow[] {
  return rows
    .map((row) => ({ row, key: `${String(row.timestamp).padStart(15, "0")} ${row.message}` }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((keyed) => keyed.row);
}

/** Up to `limit` pairs of rows that differ in any column; [] when every row read back is the row the truth says, and none is missing or extra. */
export function rowDifferences(
  actual: readonly AccessRow[],
  expected: readonly AccessRow[],
  limit = 5,
): Array<{ actual: AccessRow | undefined; expected: AccessRow | undefined }> {
  const got = byKey(actual);
  const want = byKey(expected);
  const differences: Array<{ actual: AccessRow | undefined; expected: AccessRow | undefined }> = [];
  for (let i = 0; i < Math.max(got.length, want.length) && differences.length < limit; i += 1) {
    const a = got[i];
    const e = want[i];
    if (a === undefined || e === undefined || COLUMNS.some((column) => a[column] !== e[column])) differences.push({ actual: a, expected: e });
  }
  return differences;
}
