import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { LogsQueryClient, LogsQueryResultStatus, type LogsQueryResult, type LogsTable } from "@azure/monitor-query-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../shared/core/time.js";
import { histogramKql, partKql } from "../../shared/sources/log-analytics/kql.js";
import { ResultStreamReader, parseRow } from "../../shared/sources/log-analytics/result-stream.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { BURST_MINUTE_OFFSET_MS, BURST_ROWS, benchTable, demoTables, encodeRow, SyntheticTable, type SyntheticRow } from "../helpers/synthetic-table.js";

const DAY = Date.UTC(2026, 10, 22);
const BURST = DAY + BURST_MINUTE_OFFSET_MS;
const BENCH_HOUR = Date.UTC(2026, 10, 23, 10);
const TIME_7 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;

function sdkClient(fake: FakeLogAnalytics): LogsQueryClient {
  const credential = { getToken: async () => ({ token: "x", expiresOnTimestamp: Date.now() + 3600e3 }) };
  const client = new LogsQueryClient(credential, { endpoint: `${fake.url}/v1`, allowInsecureConnection: true });
  // The bearer policy refuses plain http; the fake only wants some authorization header.
  client.pipeline.removePolicy({ name: "bearerTokenAuthenticationPolicy" });
  const fakeAuth: PipelinePolicy = {
    name: "fakeAuthorization",
    sendRequest: (request, next) => {
      request.headers.set("authorization", "Bearer x");
      return next(request);
    },
  };
  client.pipeline.addPolicy(fakeAuth);
  return client;
}

function query(client: LogsQueryClient, fake: FakeLogAnalytics, kql: string, startMs: number, endMs: number): Promise<LogsQueryResult> {
  return client.queryWorkspace(fake.workspaceId, kql, { startTime: new Date(startMs), endTime: new Date(endMs) });
}

function successTable(result: LogsQueryResult): LogsTable {
  if (result.status !== LogsQueryResultStatus.Success) throw new Error(`expected Success, got ${result.status}`);
  const table = result.tables[0];
  if (table === undefined) throw new Error("no table");
  return table;
}

function post(fake: FakeLogAnalytics, body: unknown, workspaceId = fake.workspaceId): Promise<Response> {
  return fetch(`${fake.url}/v1/workspaces/${workspaceId}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer x" },
    body: JSON.stringify(body),
  });
}

function partBody(table: string, startMs: number, endMs: number): { query: string; timespan: string } {
  return { query: partKql(table, { startMs, endMs }), timespan: `${new Date(startMs).toISOString()}/${new Date(endMs).toISOString()}` };
}

/** Reads a response body incrementally with the product's own stream parser. */
async function readRows(response: Response, onRow: (values: readonly unknown[]) => void): Promise<{ chunks: number; columns: number; errors: unknown[] }> {
  const reader = new ResultStreamReader();
  const decoder = new TextDecoder();
  let chunks = 0;
  let columns = 0;
  const errors: unknown[] = [];
  const handle = (text: string): void => {
    for (const event of reader.push(text)) {
      if (event.kind === "row") onRow(event.values);
      else if (event.kind === "columns") columns = event.columns.length;
      else errors.push(event.error);
    }
  };
  if (response.body === null) throw new Error("no body");
  for await (const chunk of response.body) {
    chunks += 1;
    handle(decoder.decode(chunk, { stream: true }));
  }
  handle(decoder.decode());
  reader.end();
  return { chunks, columns, errors };
}

/** What the product's parser should decode a generated row to (bigint cells stay bigint). */
function decoded(row: SyntheticRow): unknown[] {
  return parseRow(encodeRow(row));
}

describe("SyntheticTable", () => {
  const [appRequests] = demoTables(DAY);
  if (appRequests === undefined) throw new Error("no AppRequests");

  it("counts a 1,000,000-row hour by arithmetic, fast", () => {
    const bench = benchTable(BENCH_HOUR, 1_000_000);
    const t0 = performance.now();
    expect(bench.rowsIn(BENCH_HOUR, BENCH_HOUR + HOUR_MS)).toBe(1_000_000);
    expect(bench.rowsIn(BENCH_HOUR - HOUR_MS, BENCH_HOUR + 2 * HOUR_MS)).toBe(1_000_000);
    expect(bench.histogram(BENCH_HOUR, BENCH_HOUR + HOUR_MS, 1_000).reduce((sum, bin) => sum + bin.rows, 0)).toBe(1_000_000);
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it("sub-minute counts agree with the generated rows", () => {
    const ranges: Array<[number, number]> = [
      [BURST, BURST + 1],
      [BURST + 1, BURST + 2],
      [BURST + 123, BURST + 4_567],
      [BURST + 59_999, BURST + 60_001],
      [BURST - 1_501, BURST + 333],
      [DAY + 3 * HOUR_MS + 7_777, DAY + 3 * HOUR_MS + 2 * MINUTE_MS + 13],
    ];
    for (const [start, end] of ranges) {
      let n = 0;
      for (const row of appRequests.rows(start, end)) {
        const ms = Date.parse(`${String(row[0]).slice(0, 23)}Z`);
        expect(ms).toBeGreaterThanOrEqual(start);
        expect(ms).toBeLessThan(end);
        n += 1;
      }
      expect(appRequests.rowsIn(start, end), `[${start}, ${end})`).toBe(n);
    }
  });

  it("is deterministic and merges late rows into counts and output", () => {
    const [a] = demoTables(DAY);
    const [b] = demoTables(DAY);
    if (a === undefined || b === undefined) throw new Error("no tables");
    const start = DAY + 5 * HOUR_MS;
    const end = start + 2_000;
    expect([...a.rows(start, end)].map(encodeRow)).toEqual([...b.rows(start, end)].map(encodeRow));
    const before = a.rowsIn(start, end);
    // One exactly on a regular row's instant (start of minute), one in between.
    a.addLateRows([{ timeGeneratedMs: start }, { timeGeneratedMs: start + 1_000 }, { timeGeneratedMs: end }]);
    expect(a.rowsIn(start, end)).toBe(before + 2);
    const times = [...a.rows(start, end)].map((r) => String(r[0]));
    expect(times).toHaveLength(before + 2);
    expect([...times].sort()).toEqual(times);
    expect(times.filter((t) => t.endsWith("05:00:00.0000000Z"))).toHaveLength(2);
    expect(a.histogram(start, end, 1_000).reduce((s, bin) => s + bin.rows, 0)).toBe(before + 2);
  });

  it("rejects a spec whose first column is not TimeGenerated", () => {
    expect(() => new SyntheticTable({ name: "T", columns: [{ name: "Id", type: "guid" }], rowsInMinute: () => 1, bytesPerRow: 1 })).toThrow(/TimeGenerated/);
  });
});

describe("fake Log Analytics through the real SDK", () => {
  let fake: FakeLogAnalytics;
  let client: LogsQueryClient;
  beforeAll(async () => {
    fake = await startFakeLogAnalytics({ tables: demoTables(DAY) });
    client = sdkClient(fake);
  });
  afterAll(async () => {
    await fake.close();
  });

  it("histogram bins sum to rowsIn at 1m and 1s", async () => {
    for (const name of ["AppRequests", "AppTraces", "SecurityEvent"]) {
      const table = fake.table(name);
      const expected = table.rowsIn(DAY, DAY + DAY_MS);
      for (const binMs of [MINUTE_MS, 1_000]) {
        const result = successTable(await query(client, fake, histogramKql(name, { startMs: DAY, endMs: DAY + DAY_MS }, binMs), DAY, DAY + DAY_MS));
        expect(result.columnDescriptors.map((c) => `${c.name}:${c.type}`)).toEqual(["TimeGenerated:datetime", "rows:long", "bytes:long"]);
        let sum = 0;
        for (const [time, rows, bytes] of result.rows) {
          expect(time).toBeInstanceOf(Date);
          expect(typeof rows === "number" && rows > 0).toBe(true); // only non-empty bins
          expect(bytes).toBe(Number(rows) * table.bytesPerRow);
          sum += Number(rows);
        }
        expect(sum, `${name} ${binMs}ms`).toBe(expected);
      }
    }
    // SecurityEvent is sparse: empty minutes have no bin.
    const sparse = successTable(await query(client, fake, histogramKql("SecurityEvent", { startMs: DAY, endMs: DAY + DAY_MS }, MINUTE_MS), DAY, DAY + DAY_MS));
    expect(sparse.rows.length).toBeLessThan(1_440);
  }, 30_000); // six day-long histograms, 86,400 one-second bins each, through the SDK

  it("the burst minute holds 25,000 rows over 60 one-second bins", async () => {
    const result = successTable(
      await query(client, fake, histogramKql("AppRequests", { startMs: BURST, endMs: BURST + MINUTE_MS }, 1_000), BURST, BURST + MINUTE_MS),
    );
    expect(result.rows).toHaveLength(60);
    expect(result.rows.reduce((sum, row) => sum + Number(row[1]), 0)).toBe(BURST_ROWS);
    expect(fake.table("AppRequests").rowsIn(BURST, BURST + MINUTE_MS)).toBe(BURST_ROWS);
  });

  it("retries a 429 carrying Retry-After: 0, then succeeds", async () => {
    fake.inject({ on: "histogram", kind: "status", status: 429, retryAfterSeconds: 0 });
    const served = fake.queries.length;
    const result = await query(client, fake, histogramKql("AppTraces", { startMs: DAY, endMs: DAY + HOUR_MS }, MINUTE_MS), DAY, DAY + HOUR_MS);
    expect(successTable(result).rows).toHaveLength(60);
    expect(fake.queries.slice(served).map((q) => [q.status, q.fault])).toEqual([
      [429, "status"],
      [200, undefined],
    ]);
  });

  it("does not retry a 429 without Retry-After (an SDK quirk the product must handle)", async () => {
    fake.inject({ on: "any", kind: "status", status: 429 });
    await expect(query(client, fake, partKql("AppTraces", { startMs: DAY, endMs: DAY + 1_000 }), DAY, DAY + 1_000)).rejects.toMatchObject({ statusCode: 429 });
  });

  it("surfaces a connection dropped mid-body as a PARSE_ERROR it does not retry", async () => {
    fake.inject({ on: "rows", kind: "resetMidBody", afterRows: 5 });
    const served = fake.queries.length;
    await expect(query(client, fake, partKql("AppTraces", { startMs: DAY, endMs: DAY + MINUTE_MS }), DAY, DAY + MINUTE_MS)).rejects.toMatchObject({
      name: "RestError",
      code: "PARSE_ERROR",
    });
    expect(fake.queries.length - served).toBe(1);
  });

  it("reports a 200 with an error object as PartialFailure", async () => {
    fake.inject({ on: "rows", kind: "partialFailure" });
    const result = await query(client, fake, partKql("AppTraces", { startMs: DAY, endMs: DAY + MINUTE_MS }), DAY, DAY + MINUTE_MS);
    expect(result.status).toBe(LogsQueryResultStatus.PartialFailure);
    if (result.status !== LogsQueryResultStatus.PartialFailure) return;
    expect(result.partialError.code).toBe("PartialError");
    expect(result.partialTables[0]?.rows).toHaveLength(fake.table("AppTraces").rowsIn(DAY, DAY + MINUTE_MS));
  });

  it("throws a 400 for an unknown table", async () => {
    const error: unknown = await query(client, fake, partKql("NoSuchTable", { startMs: DAY, endMs: DAY + MINUTE_MS }), DAY, DAY + MINUTE_MS).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      name: "RestError",
      statusCode: 400,
      details: { error: { code: "BadArgumentError", innererror: { code: "SemanticError", message: "'NoSuchTable' could not be resolved" } } },
    });
    expect(fake.queries.at(-1)).toMatchObject({ kind: "rows", table: "NoSuchTable", status: 400 });
  });

  it("decodes rows with the SDK's lossy conversions", async () => {
    const start = DAY + 10 * HOUR_MS;
    const table = successTable(await query(client, fake, partKql("AppRequests", { startMs: start, endMs: start + 1_000 }), start, start + 1_000));
    const expected = [...fake.table("AppRequests").rows(start, start + 1_000)];
    expect(table.rows).toHaveLength(expected.length);
    const first = table.rows[0];
    // datetime becomes a Date (100 ns -> ms) and dynamic becomes parsed JSON.
    expect(first?.[0]).toBeInstanceOf(Date);
    expect(typeof first?.[9]).toBe("object");
  });
});

describe("fake Log Analytics on the wire", () => {
  let fake: FakeLogAnalytics;
  beforeAll(async () => {
    fake = await startFakeLogAnalytics({ tables: [...demoTables(DAY), benchTable(BENCH_HOUR, 1_000_000)] });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("returns exactly the rows of the range, ordered, with 7-digit times and exact longs", async () => {
    const start = DAY + 10 * HOUR_MS + 123;
    const end = DAY + 10 * HOUR_MS + 2 * MINUTE_MS + 30_500;
    const response = await post(fake, partBody("AppRequests", start, end));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const text = await response.text();
    const body = JSON.parse(text) as { tables: Array<{ name: string; columns: Array<{ name: string; type: string }>; rows: unknown[][] }> };
    const result = body.tables[0];
    if (result === undefined) throw new Error("no table");
    expect(result.name).toBe("PrimaryResult");
    expect(result.columns.map((c) => c.name)).not.toContain("_ItemId");
    expect(result.columns[0]).toEqual({ name: "TimeGenerated", type: "datetime" });

    const expected = [...fake.table("AppRequests").rows(start, end)];
    expect(result.rows).toHaveLength(fake.table("AppRequests").rowsIn(start, end));
    const times = result.rows.map((r) => String(r[0]));
    expect(times.every((t) => TIME_7.test(t))).toBe(true);
    expect([...times].sort()).toEqual(times);
    expect(Date.parse(times[0] ?? "")).toBeGreaterThanOrEqual(start - 1);

    const rows: unknown[][] = [];
    await readRows(new Response(text), (values) => rows.push([...values]));
    expect(rows).toEqual(expected.map(decoded));
    // A long beyond 2^53 is written as exact digits (JSON.parse would round it).
    const big = /,(9007199254\d{6,}),/.exec(text)?.[1];
    expect(big).toBeDefined();
    expect(BigInt(big ?? "0") > 2n ** 53n).toBe(true);
    expect(rows.some((r) => r.includes(BigInt(big ?? "0")))).toBe(true);
  });

  it("streams 200,000 rows in many chunks", async () => {
    const response = await post(fake, partBody("BenchLogs_CL", BENCH_HOUR, BENCH_HOUR + 12 * MINUTE_MS));
    expect(response.headers.get("content-length")).toBeNull();
    let n = 0;
    let last = "";
    let ordered = true;
    const { chunks, columns, errors } = await readRows(response, (values) => {
      const time = String(values[0]);
      if (time < last) ordered = false;
      last = time;
      n += 1;
    });
    expect(n).toBe(200_000);
    expect(ordered).toBe(true);
    expect(columns).toBe(10);
    expect(errors).toEqual([]);
    expect(chunks).toBeGreaterThan(10);
    expect(fake.queries.at(-1)).toMatchObject({ kind: "rows", table: "BenchLogs_CL", rows: 200_000, status: 200 });
  }, 30_000);

  it("stops generating while the client does not read (backpressure)", async () => {
    const response = await post(fake, partBody("BenchLogs_CL", BENCH_HOUR, BENCH_HOUR + HOUR_MS));
    const reader = response.body?.getReader();
    await reader?.read();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const record = fake.queries.at(-1);
    expect(record?.rows).toBeGreaterThan(0);
    expect(record?.rows).toBeLessThan(200_000);
    await reader?.cancel();
  });

  it("formats bin starts like the service and floors them before the range start", async () => {
    const start = BURST + 250;
    const response = await post(fake, { query: histogramKql("AppRequests", { startMs: start, endMs: BURST + 2_750 }, 1_000) });
    const body = (await response.json()) as { tables: Array<{ rows: Array<[string, number, number]> }> };
    const rows = body.tables[0]?.rows ?? [];
    expect(rows.map((r) => r[0])).toEqual(["2026-11-22T10:17:00Z", "2026-11-22T10:17:01Z", "2026-11-22T10:17:02Z"]);
    expect(rows.reduce((s, r) => s + r[1], 0)).toBe(fake.table("AppRequests").rowsIn(start, BURST + 2_750));
  });

  it("drops the connection mid-body on resetMidBody", async () => {
    fake.inject({ on: "rows", kind: "resetMidBody", afterRows: 10 });
    const response = await post(fake, partBody("AppRequests", DAY, DAY + HOUR_MS));
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect(fake.queries.at(-1)).toMatchObject({ kind: "rows", rows: 10, status: 200, fault: "resetMidBody" });
  });

  it("answers 404 for another workspace or path, 400 for other KQL", async () => {
    const other = await post(fake, partBody("AppRequests", DAY, DAY + 1), "11111111-1111-4111-8111-111111111111");
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("WorkspaceNotFoundError");
    expect((await fetch(`${fake.url}/v2/whatever`)).status).toBe(404);
    const bad = await post(fake, { query: "AppRequests | take 10" });
    expect(bad.status).toBe(400);
    expect(fake.queries.at(-1)).toMatchObject({ kind: "unknown", status: 400 });
  });

  it("close() ends a response that is still streaming", async () => {
    const local = await startFakeLogAnalytics({ tables: [benchTable(BENCH_HOUR, 1_000_000)] });
    const response = await post(local, partBody("BenchLogs_CL", BENCH_HOUR, BENCH_HOUR + HOUR_MS));
    const reader = response.body?.getReader();
    if (reader === undefined) throw new Error("no body");
    await reader.read();
    const t0 = performance.now();
    await local.close();
    expect(performance.now() - t0).toBeLessThan(1_000);
    const drain = async (): Promise<void> => {
      for (;;) if ((await reader.read()).done) return;
    };
    await expect(drain()).rejects.toThrow();
  });
});
