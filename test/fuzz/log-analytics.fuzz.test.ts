/**
 * Log Analytics responses, served by a loopback server to the real SDK clients: histograms
 * with wrong types, missing columns, bins outside the range and huge or negative counts;
 * part bodies with odd columns and rows, truncated or corrupted JSON, cut into several
 * writes. The source answers with bins that keep its contract or rows keyed by their
 * columns, or a SourceQueryError, never a TypeError; a whole window export either commits
 * its part and manifest or leaves no part and no manifest behind.
 */
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogExportError, SourceQueryError } from "../../shared/core/errors.js";
import { silentLogger } from "../../shared/core/logger.js";
import type { LogRecord } from "../../shared/core/records.js";
import { HOUR_MS, isoInstant, MINUTE_MS } from "../../shared/core/time.js";
import { exportWindow, type ExportDependencies } from "../../shared/engine/export-window.js";
import { manifestName } from "../../shared/engine/naming.js";
import { sanitizingTransform } from "../../shared/engine/transform.js";
import { JsonLinesGzipEncoder } from "../../shared/formats/jsonl-gzip/encoder.js";
import { IdentitySanitizer } from "../../shared/sanitize/index.js";
import { LogAnalyticsSource } from "../../shared/sources/log-analytics/source.js";
import { MemoryObjectStore } from "../helpers/memory-store.js";
import { startBodyServer, type BodyServer } from "./body-server.js";
import { mutatedText, wrongValue } from "./mutate.js";

const WORKSPACE = "00000000-0000-4000-8000-000000000001";
const RANGE = { startMs: Date.UTC(2026, 10, 22, 10), endMs: Date.UTC(2026, 10, 22, 11) };
const HISTOGRAM_COLUMNS = [
  { name: "TimeGenerated", type: "datetime" },
  { name: "rows", type: "long" },
  { name: "bytes", type: "long" },
];
const PART_COLUMNS = [
  { name: "TimeGenerated", type: "datetime" },
  { name: "Message", type: "string" },
  { name: "Count", type: "long" },
  { name: "Props", type: "dynamic" },
];
const ROWS = [0, 1, 2].map((i) => [isoInstant(RANGE.startMs + i * 1_000), `m${i}`, i, `{"k":${i}}`]);
const PART_BODY = JSON.stringify({ tables: [{ name: "PrimaryResult", columns: PART_COLUMNS, rows: ROWS }] });
const HISTOGRAM_BODY = JSON.stringify({ tables: [{ name: "PrimaryResult", columns: HISTOGRAM_COLUMNS, rows: [[isoInstant(RANGE.startMs), 3, 120]] }] });

function table(columns: unknown, rows: unknown, extra: Readonly<Record<string, unknown>> = {}): string {
  return JSON.stringify({ tables: [{ name: "PrimaryResult", columns, rows }], ...extra });
}

let server: BodyServer;
let source: LogAnalyticsSource;
beforeAll(async () => {
  server = await startBodyServer();
  source = new LogAnalyticsSource({ endpoint: `${server.url}/v1`, workspaceId: WORKSPACE, credential: undefined, queryTimeoutSeconds: 5, readIdleSeconds: 5 });
});
afterAll(async () => server.close());

/** 200 mostly; statuses the SDK does not retry otherwise (a 429 or 5xx would wait through its backoff). */
const status = fc.oneof({ weight: 9, arbitrary: fc.constant(200) }, { weight: 1, arbitrary: fc.constantFrom(400, 403, 404) });
const cuts = fc.array(fc.nat({ max: 600 }), { maxLength: 4 });

describe("fuzz: Log Analytics histogram responses", () => {
  const minute = fc.integer({ min: -3, max: 62 }).map((m) => isoInstant(RANGE.startMs + m * MINUTE_MS));
  const time = fc.oneof(minute, fc.constantFrom("garbage", "", "9999-12-31T00:00:00Z", "1970-01-01T00:00:00Z", "2026-11-22T10:00:00.1234567Z"), wrongValue);
  const count = fc.oneof(fc.nat(1_000_000), fc.constantFrom(-5, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2, "12"), wrongValue);
  const row = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(time, count, count) },
    { weight: 1, arbitrary: fc.array(wrongValue, { maxLength: 4 }) },
    { weight: 1, arbitrary: wrongValue },
  );
  const columns = fc.oneof(
    { weight: 4, arbitrary: fc.constant(HISTOGRAM_COLUMNS) },
    { weight: 1, arbitrary: fc.shuffledSubarray(HISTOGRAM_COLUMNS) },
    { weight: 1, arbitrary: wrongValue },
  );
  const body = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(columns, fc.oneof({ weight: 5, arbitrary: fc.array(row, { maxLength: 6 }) }, { weight: 1, arbitrary: wrongValue }))
        .map(([c, r]) => table(c, r)),
    },
    { weight: 2, arbitrary: mutatedText(HISTOGRAM_BODY, 3) },
    { weight: 1, arbitrary: fc.tuple(fc.array(row, { maxLength: 2 }), wrongValue).map(([r, error]) => table(HISTOGRAM_COLUMNS, r, { error })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  );

  it("bins inside the range with whole, non-negative counts, or a SourceQueryError (400 cases)", async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(status, body, async (code, text) => {
        server.answer = () => ({ status: code, body: text });
        let bins;
        try {
          bins = await source.histogram("Heartbeat", RANGE, MINUTE_MS);
        } catch (error) {
          expect(error).toBeInstanceOf(SourceQueryError);
          expect((error as Error).message).toContain("histogram of Heartbeat");
          return;
        }
        answered += 1;
        for (const bin of bins) {
          expect(bin.startMs).toBeGreaterThanOrEqual(RANGE.startMs);
          expect(bin.endMs).toBeLessThanOrEqual(RANGE.endMs);
          expect(bin.startMs).toBeLessThan(bin.endMs);
          expect(Number.isSafeInteger(bin.rows) && bin.rows >= 0).toBe(true);
          expect(typeof bin.bytes).toBe("number");
        }
      }),
      {
        numRuns: 400,
        // Found by this property: a bin far after the range came back inverted (start after end) and a negative count was accepted.
        examples: [
          [200, table(HISTOGRAM_COLUMNS, [["9999-01-01T00:00:00Z", 5, 0]])],
          [200, table(HISTOGRAM_COLUMNS, [[12345, 5, 0]])],
          [200, table(HISTOGRAM_COLUMNS, [[isoInstant(RANGE.startMs), -5, 0]])],
        ],
      },
    );
    expect(answered).toBeGreaterThan(10);
  });
});

describe("fuzz: Log Analytics part responses", () => {
  const column = fc.record({
    name: fc.oneof(fc.constantFrom("TimeGenerated", "__proto__", "constructor", "toString", "", "a b"), fc.string({ maxLength: 6 })),
    type: fc.constantFrom("datetime", "string", "long", "dynamic", "real", "bool", "guid", "x"),
  });
  const body = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.array(column, { minLength: 1, maxLength: 4 }), fc.array(fc.array(wrongValue, { maxLength: 5 }), { maxLength: 5 }))
        .map(([c, r]) => table(c, r)),
    },
    { weight: 3, arbitrary: mutatedText(PART_BODY, 3) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.array(fc.array(wrongValue, { maxLength: 4 }), { maxLength: 2 }), wrongValue)
        .map(([r, error]) => table(PART_COLUMNS, r, { error })),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 40 }),
      ),
    },
  );

  it("rows keyed exactly by their columns (own keys, no prototype change), or a SourceQueryError (500 cases)", async () => {
    let streamed = 0;
    await fc.assert(
      fc.asyncProperty(status, body, cuts, async (code, text, at) => {
        server.answer = () => ({ status: code, body: text, cuts: at });
        const rows: LogRecord[] = [];
        let names: string[] = [];
        try {
          const part = await source.openPart("Heartbeat", RANGE);
          names = [...new Set(part.columns.map((c) => c.name))];
          for await (const record of part.rows) rows.push(record);
        } catch (error) {
          expect(error).toBeInstanceOf(SourceQueryError);
          // It names the query, and a 200 whose body breaks off or does not parse, wherever, is worth asking again; a 4xx is not.
          expect((error as Error).message).toContain("rows of Heartbeat");
          expect((error as SourceQueryError).retriable).toBe(code === 200);
          return;
        }
        streamed += 1;
        for (const record of rows) {
          expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
          expect(Object.keys(record).sort()).toEqual([...names].sort());
        }
      }),
      // Found by this property: a column named __proto__ replaced the record's prototype, so its value vanished (or its keys were spliced
      // into the row); a body cut after its columns failed without naming the query, one cut before them was not retried.
      {
        numRuns: 500,
        examples: [
          [
            200,
            table(
              [
                { name: "__proto__", type: "dynamic" },
                { name: "a", type: "string" },
              ],
              [['{"x":1}', "v"]],
            ),
            [],
          ],
          [200, PART_BODY.slice(0, PART_BODY.indexOf('"rows"') + 9), []],
          [200, PART_BODY.slice(0, 30), []],
        ],
      },
    );
    expect(streamed).toBeGreaterThan(20);
  });
});

describe("fuzz: a window export against corrupted part responses", () => {
  function dependencies(data: MemoryObjectStore, state: MemoryObjectStore): ExportDependencies {
    return {
      source,
      data,
      state,
      layout: { kind: "part-objects", prefix: "" },
      encoder: new JsonLinesGzipEncoder(),
      createTransform: () => sanitizingTransform(new IdentitySanitizer()),
      concurrency: 1,
      budget: { maxRows: 1_000, maxBytes: 1e9 },
      partRetry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      clock: { now: () => RANGE.endMs + HOUR_MS },
      logger: silentLogger,
    };
  }

  it("commits the part and the manifest with every promised row, or fails with a LogExportError leaving neither (150 cases)", async () => {
    const outcomes = { exported: 0, failed: 0 };
    await fc.assert(
      fc.asyncProperty(mutatedText(PART_BODY, 2), cuts, async (text, at) => {
        server.answer = (request) => (request.body.includes("summarize") ? { status: 200, body: HISTOGRAM_BODY } : { status: 200, body: text, cuts: at });
        const data = new MemoryObjectStore();
        const state = new MemoryObjectStore();
        const job = { table: "Heartbeat", window: RANGE, runId: "fuzz-1", reason: "manual" as const, force: false };
        const outcome = await exportWindow(dependencies(data, state), job).catch((error: unknown) => error);
        if (outcome instanceof Error) {
          outcomes.failed += 1;
          expect(outcome).toBeInstanceOf(LogExportError);
          expect(data.names()).toEqual([]);
          expect(state.names("manifests/")).toEqual([]);
          expect(
            state
              .names("ledger/")
              .map((name) => state.objects.get(name)?.data.toString() ?? "")
              .join(""),
          ).toContain(",failed,");
          return;
        }
        outcomes.exported += 1;
        expect(state.names()).toContain(manifestName("Heartbeat", RANGE));
        const [part] = data.names();
        const lines = gunzipSync(data.objects.get(part ?? "")?.data ?? Buffer.alloc(0))
          .toString("utf8")
          .split("\n")
          .filter((l) => l !== "");
        expect(lines.length).toBeGreaterThanOrEqual(3);
        expect(lines).toHaveLength((outcome as { manifest: { exportedRows: number } }).manifest.exportedRows);
        for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      }),
      { numRuns: 150 },
    );
    expect(outcomes.failed).toBeGreaterThan(30);
    expect(outcomes.exported).toBeGreaterThan(5);
  });
});
