/**
 * Deterministic rows of the Pulp access-log Parquet schema for the
 * `parquet-writers` bench: the same `count` always gives the same rows, one at
 * a time (nothing is materialised), so every writer sees identical input and
 * the parent can compute what DuckDB must read back without holding the rows.
 */

/** 2026-02-04T14:00:00Z in nanoseconds: the hour every bench file covers. */
export const BENCH_HOUR_START_NS = 1_770_213_600_000_000_000n;
const HOUR_NS = 3_600_000_000_000n;

/** One row as a Lambda would hand it to the encoder (timestamp in ns since the epoch). */
export type PulpBenchRow = {
  timestamp: bigint;
  message: string;
  user: string | null;
  org_id: string | null;
  domain: string;
  distribution: string;
  package: string;
  status_code: number;
  user_agent: string;
  x_forwarded_for: string;
};

const DOMAINS = ["default", "public-rhel", "internal", "partner-eu", "partner-us"] as const;
const USER_AGENTS = [
  'uv/0.9.26 {"installer":{"name":"uv"},"python":"3.12.8"}',
  'pip/24.3.1 {"cpu":"x86_64","python":"3.11.9"}',
  'pip/23.2.1 {"ci":true,"cpu":"aarch64","python":"3.13.1"}',
  "python-requests/2.32.3",
  "poetry/1.8.5 (Python 3.12.7; Linux x86_64)",
  "pdm/2.22.1",
] as const;
const STATUS_CODES = [200, 200, 200, 200, 200, 200, 200, 304, 304, 404, 401, 403, 500, 502] as const;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/** mulberry32: tiny, fast and the same on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.floor(r * items.length)] as T;
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * `count` rows spread evenly over the bench hour, in time order. Timestamps
 * carry sub-microsecond digits on purpose, so a reader that keeps only
 * microseconds is caught.
 */
export function* pulpBenchRows(count: number): Generator<PulpBenchRow> {
  const next = random(0x5eed_0001);
  const stepNs = HOUR_NS / BigInt(count);
  const start = new Date(Number(BENCH_HOUR_START_NS / 1_000_000n));
  const datePrefix = `${two(start.getUTCDate())}/${MONTHS[start.getUTCMonth()] ?? "Jan"}/${start.getUTCFullYear()}:${two(start.getUTCHours())}`;
  for (let i = 0; i < count; i += 1) {
    const offsetNs = BigInt(i) * stepNs;
    const timestamp = BENCH_HOUR_START_NS + offsetNs + BigInt((i * 7_919) % 1_000);
    const secondInHour = Number(offsetNs / 1_000_000_000n);
    const authenticated = next() < 0.7;
    const userNumber = Math.floor(next() * 500);
    const user = authenticated ? `user-${userNumber}@example.com` : null;
    const orgId = authenticated ? String(11_000_000 + (userNumber % 40) * 7_211) : null;
    const domain = pick(DOMAINS, next());
    const distribution = `dist-${Math.floor(next() * 20)}`;
    const packageName = `pkg-${Math.floor(next() ** 2 * 4_000).toString(36)}`;
    const statusCode = pick(STATUS_CODES, next());
    const userAgent = pick(USER_AGENTS, next());
    const client = `${Math.floor(next() * 223) + 1}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 254) + 1}`;
    const correlationId = (Math.floor(next() * 0xffff_ffff) >>> 0).toString(16).padStart(8, "0") + (i >>> 0).toString(16).padStart(8, "0");
    const when = `[${datePrefix}:${two(Math.floor(secondInHour / 60))}:${two(secondInHour % 60)} +0000]`;
    const bytes = statusCode === 200 ? 400 + Math.floor(next() * 90_000) : 0;
    const durationUs = 300 + Math.floor(next() * 40_000);
    const message =
      `pulp [${correlationId}]: 10.128.${i % 256}.${(i >>> 8) % 256} - user:${user ?? "-"} org_id:${orgId ?? "-"} ${when} ` +
      `"GET /api/pypi/${domain}/${distribution}/simple/${packageName}/ HTTP/1.1" ${statusCode} ${bytes} "-" "${userAgent}" ${durationUs} ` +
      `x_forwarded_for:"${client},10.0.0.1"`;
    yield {
      timestamp,
      message,
      user,
      org_id: orgId,
      domain,
      distribution,
      package: packageName,
      status_code: statusCode,
      user_agent: userAgent,
      x_forwarded_for: client,
    };
  }
}

/** Rows one at a time through an async iterable, as a source would deliver them. */
export async function* pulpBenchRowsAsync(count: number): AsyncGenerator<PulpBenchRow> {
  yield* pulpBenchRows(count);
}

/** What a faithful file must hold: the parent computes this once, DuckDB's reading is compared against it. */
export interface BenchExpectation {
  rows: number;
  nullUsers: number;
  nullOrgIds: number;
  statusSum: number;
  /** Sums of UTF-8 lengths per string column. */
  stringBytes: Record<string, number>;
  /** Sum of timestamps in ns, exactly as written. */
  timestampNsSum: bigint;
  /** Sum of timestamps truncated to microseconds (what a µs reader can hold). */
  timestampUsSum: bigint;
  /** A few rows by position, compared field by field. */
  samples: Map<number, PulpBenchRow>;
}

export const STRING_COLUMNS = ["message", "user", "org_id", "domain", "distribution", "package", "user_agent", "x_forwarded_for"] as const;

export function benchExpectation(count: number): BenchExpectation {
  const sampleAt = new Set([0, 1, 2, Math.floor(count / 3), Math.floor(count / 2) + 7, count - 2, count - 1]);
  const expectation: BenchExpectation = {
    rows: 0,
    nullUsers: 0,
    nullOrgIds: 0,
    statusSum: 0,
    stringBytes: Object.fromEntries(STRING_COLUMNS.map((c) => [c, 0])),
    timestampNsSum: 0n,
    timestampUsSum: 0n,
    samples: new Map(),
  };
  for (const row of pulpBenchRows(count)) {
    if (sampleAt.has(expectation.rows)) expectation.samples.set(expectation.rows, row);
    expectation.rows += 1;
    if (row.user === null) expectation.nullUsers += 1;
    if (row.org_id === null) expectation.nullOrgIds += 1;
    expectation.statusSum += row.status_code;
    for (const column of STRING_COLUMNS) {
      const value = row[column];
      if (value !== null) expectation.stringBytes[column] = (expectation.stringBytes[column] ?? 0) + Buffer.byteLength(value, "utf8");
    }
    expectation.timestampNsSum += row.timestamp;
    expectation.timestampUsSum += row.timestamp / 1_000n;
  }
  return expectation;
}
