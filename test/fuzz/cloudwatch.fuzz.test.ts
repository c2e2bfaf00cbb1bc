/**
 * CloudWatch Logs responses, served by a loopback server to the real SDK client:
 * GetQueryResults rows with wrong types, missing fields, odd timestamps, huge or
 * non-numeric counts and statuses, and FilterLogEvents pages with odd events. The
 * source answers with well-typed bins and records or a SourceQueryError, never a
 * TypeError or a poll past its deadline.
 *
 * Failures found here and fixed (docs/fuzzing.md): a field value that is not a string
 * (TypeError for a time, a number for a message), FilterLogEvents `events` that is not a
 * list of objects (TypeError), a count of "" read as 0, "-5" and "0x10" accepted, a bin
 * outside the range returned inverted, a status that is not a string polled until the
 * deadline, a nextToken that never changes paged forever.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SourceQueryError } from "../../shared/core/errors.js";
import type { LogRecord } from "../../shared/core/records.js";
import { MINUTE_MS } from "../../shared/core/time.js";
import { CloudWatchSource } from "../../shared/sources/cloudwatch/source.js";
import { fastRetryStrategy } from "../helpers/fake-cloudwatch-logs.js";
import { startBodyServer, type BodyServer } from "./body-server.js";
import { wrongValue } from "./mutate.js";

const RANGE = { startMs: Date.UTC(2026, 1, 4, 14), endMs: Date.UTC(2026, 1, 4, 15) };
const POLL_TIMEOUT_MS = 30;

/** `2026-02-04 14:30:00.000`, as Logs Insights writes times. */
function insightsTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

let server: BodyServer;
let client: CloudWatchLogsClient;
let source: CloudWatchSource;
const emitWarning = process.emitWarning;
beforeAll(async () => {
  // The SDK warns once that its next versions need Node 22: keep the run quiet.
  process.emitWarning = (() => undefined) as typeof process.emitWarning;
  server = await startBodyServer();
  client = new CloudWatchLogsClient({
    region: "us-east-1",
    endpoint: server.url,
    credentials: { accessKeyId: "fuzz", secretAccessKey: "fuzz" },
    maxAttempts: 1,
    retryStrategy: fastRetryStrategy(1),
  });
  source = new CloudWatchSource({
    client,
    logGroupNames: ["/aws/pulp"],
    filter: { includePaths: [] },
    queryRowLimit: 10_000,
    poll: { timeoutMs: POLL_TIMEOUT_MS, initialPollMs: 1, maxPollMs: 2 },
  });
});
afterAll(async () => {
  client.destroy();
  await server.close();
  process.emitWarning = emitWarning;
});

/** StartQuery and StopQuery succeed; GetQueryResults and FilterLogEvents answer with `results` / `pages` in turn. */
function serve(results: unknown, pages: readonly unknown[] = []): void {
  let page = 0;
  server.answer = (request) => {
    const operation = String(request.headers["x-amz-target"]).split(".")[1];
    const body =
      operation === "StartQuery"
        ? { queryId: "q-1" }
        : operation === "GetQueryResults"
          ? results
          : operation === "FilterLogEvents"
            ? (pages[page++] ?? {})
            : {};
    return { status: 200, body: JSON.stringify(body), contentType: "application/x-amz-json-1.1" };
  };
}

/** Mostly complete; a status that never completes (or is not one) polls until the deadline, so it comes rarely to keep the run short. */
const status = fc.oneof(
  { weight: 20, arbitrary: fc.constant("Complete") },
  { weight: 2, arbitrary: fc.constantFrom("Failed", "Cancelled", "Timeout", "Unknown", "Running", "Scheduled") },
  { weight: 1, arbitrary: wrongValue },
);
const time = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -3, max: 62 }).map((m) => insightsTime(RANGE.startMs + m * MINUTE_MS)) },
  { weight: 1, arbitrary: fc.constantFrom("", "garbage", "2026-02-04T14:30:00Z", "2026-02-04 14:30:00.1234567", "9999-12-31 23:59:59.999", "1") },
  { weight: 1, arbitrary: fc.string({ maxLength: 24 }) },
);
const countText = fc.oneof(
  { weight: 4, arbitrary: fc.nat(20_000).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("99999999999999999999", "1.5", "1e3", "abc", "9007199254740993", " ", "", "-5", "0x10") },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const statistics = fc.option(
  fc.record({ recordsMatched: fc.oneof(fc.nat(20), wrongValue), bytesScanned: fc.oneof(fc.nat(1e9), wrongValue) }, { requiredKeys: [] }),
  { nil: undefined },
);
const field = (name: fc.Arbitrary<unknown>, value: fc.Arbitrary<unknown>) => fc.record({ field: name, value }, { requiredKeys: [] });

describe("fuzz: CloudWatch Logs Insights results", () => {
  it("histogram: whole-number counts in bins clipped to the range, in time order, or a SourceQueryError (300 cases)", async () => {
    const row = fc.oneof(
      { weight: 5, arbitrary: fc.tuple(field(fc.constant("bin(1m)"), time), field(fc.constant("rows"), countText)).map((r) => [...r]) },
      {
        weight: 1,
        arbitrary: fc.array(field(fc.oneof(fc.constantFrom("bin(1m)", "rows", "@ptr"), fc.string({ maxLength: 6 })), fc.oneof(time, countText, wrongValue)), {
          maxLength: 3,
        }),
      },
      { weight: 1, arbitrary: wrongValue },
    );
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        status,
        fc.oneof({ weight: 6, arbitrary: fc.array(row, { maxLength: 5 }) }, { weight: 1, arbitrary: wrongValue }),
        statistics,
        async (state, results, stats) => {
          serve({ status: state, results, statistics: stats });
          const started = Date.now();
          let bins;
          try {
            bins = await source.histogram("pulp", RANGE, MINUTE_MS);
          } catch (error) {
            expect(error).toBeInstanceOf(SourceQueryError);
            expect(Date.now() - started).toBeLessThan(POLL_TIMEOUT_MS + 2_000);
            return;
          }
          answered += 1;
          for (const bin of bins) {
            expect(Number.isSafeInteger(bin.rows) && bin.rows >= 0).toBe(true);
            expect(bin.endMs).toBeGreaterThan(bin.startMs);
            expect(bin.startMs).toBeGreaterThanOrEqual(RANGE.startMs);
            expect(bin.endMs).toBeLessThanOrEqual(RANGE.endMs);
          }
          expect(bins.map((b) => b.startMs)).toEqual([...bins.map((b) => b.startMs)].sort((a, b) => a - b));
        },
      ),
      { numRuns: 300 },
    );
    expect(answered).toBeGreaterThan(10);
  });

  it("part: one record per result row with a whole-millisecond timestamp and string message and stream, or a SourceQueryError (300 cases)", async () => {
    const row = fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .tuple(
            field(fc.constant("@timestamp"), time),
            field(fc.constant("@message"), fc.string({ maxLength: 20 })),
            field(fc.constant("@logStream"), fc.string({ maxLength: 8 })),
            field(fc.constant("@ptr"), fc.string({ maxLength: 8 })),
          )
          .map((r) => [...r]),
      },
      {
        weight: 1,
        arbitrary: fc.array(
          field(fc.oneof(fc.constantFrom("@timestamp", "@message", "__proto__", "@ptr"), fc.string({ maxLength: 6 })), fc.oneof(time, wrongValue)),
          { maxLength: 3 },
        ),
      },
      { weight: 1, arbitrary: wrongValue },
    );
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(status, fc.array(row, { maxLength: 5 }), statistics, async (state, results, stats) => {
        serve({ status: state, results, statistics: stats });
        let records: LogRecord[];
        try {
          const part = await source.openPart("pulp", RANGE);
          records = [];
          for await (const record of part.rows) records.push(record);
        } catch (error) {
          expect(error).toBeInstanceOf(SourceQueryError);
          return;
        }
        answered += 1;
        expect(records).toHaveLength(results.length);
        for (const record of records) {
          expect(Number.isSafeInteger(record.timestamp)).toBe(true);
          expect(typeof record.message).toBe("string");
          expect(typeof record.logStream).toBe("string");
        }
      }),
      { numRuns: 300 },
    );
    expect(answered).toBeGreaterThan(10);
  });

  it("scan (FilterLogEvents pages): records inside the range in time order, or a SourceQueryError (200 cases)", async () => {
    const event = fc.record(
      {
        timestamp: fc.oneof(
          { weight: 4, arbitrary: fc.integer({ min: RANGE.startMs - 5_000, max: RANGE.endMs + 5_000 }) },
          { weight: 1, arbitrary: wrongValue },
        ),
        message: fc.oneof({ weight: 6, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: wrongValue }),
        logStreamName: fc.oneof({ weight: 6, arbitrary: fc.string({ maxLength: 8 }) }, { weight: 1, arbitrary: wrongValue }),
        eventId: fc.string({ maxLength: 4 }),
      },
      { requiredKeys: [] },
    );
    // Each page but the last carries a nextToken, the last none; sometimes `events` is not a list, or every page hands back the same token.
    const events = fc.oneof({ weight: 8, arbitrary: fc.array(event, { maxLength: 4 }) }, { weight: 1, arbitrary: wrongValue });
    const finite = fc
      .array(fc.record({ events }), { minLength: 1, maxLength: 4 })
      .map((list) => list.map((page, i) => (i < list.length - 1 ? { ...page, nextToken: `t${i}` } : page)));
    const endless = fc.constant(Array.from({ length: 40 }, () => ({ events: [], nextToken: "same" })));
    const pages = fc.oneof({ weight: 10, arbitrary: finite }, { weight: 1, arbitrary: endless });
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(pages, async (list) => {
        serve({}, list);
        let records: LogRecord[];
        try {
          const part = await source.scanPart("pulp", RANGE);
          records = [];
          for await (const record of part.rows) records.push(record);
        } catch (error) {
          expect(error).toBeInstanceOf(SourceQueryError);
          return;
        }
        answered += 1;
        const times = records.map((r) => Number(r.timestamp));
        for (const t of times) expect(t >= RANGE.startMs && t < RANGE.endMs).toBe(true);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        for (const record of records) expect(typeof record.message).toBe("string");
      }),
      { numRuns: 200 },
    );
    expect(answered).toBeGreaterThan(10);
  });
});
