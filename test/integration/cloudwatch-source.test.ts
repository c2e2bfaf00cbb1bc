import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SourceQueryError } from "../../shared/core/errors.js";
import type { LogRecord } from "../../shared/core/records.js";
import { sleep } from "../../shared/core/sleep.js";
import { measureWindow, packParts } from "../../shared/engine/parts.js";
import { lineMatcher, validateLineFilter, type LineFilter } from "../../shared/sources/cloudwatch/insights.js";
import { CloudWatchSource } from "../../shared/sources/cloudwatch/source.js";
import {
  fakeClientConfig,
  startFakeCloudWatchLogs,
  type CallRecord,
  type Fault,
  type FakeCloudWatchLogs,
  type Operation,
} from "../helpers/fake-cloudwatch-logs.js";
import { pulpHourStream, type PulpLogStream } from "../helpers/pulp-log-stream.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const GROUP = "/aws/containerinsights/pulp-prod/application";
const FILTER: LineFilter = { includePaths: ["/api/pypi/"] };

let fake: FakeCloudWatchLogs;
let stream: PulpLogStream;
let client: CloudWatchLogsClient;

beforeAll(async () => {
  stream = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 36_000, bursts: [{ secondStartMs: HOUR + 1_800_000, events: 12_000 }], logGroupName: GROUP });
  fake = await startFakeCloudWatchLogs({ groups: [stream] });
  client = new CloudWatchLogsClient(fakeClientConfig(fake, 3));
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});

function source(queryRowLimit = 10_000, on: CloudWatchLogsClient = client, poll = { timeoutMs: 10_000, initialPollMs: 1, maxPollMs: 5 }): CloudWatchSource {
  return new CloudWatchSource({ client: on, logGroupNames: [GROUP], filter: FILTER, queryRowLimit, poll });
}

const MINUTE = { startMs: HOUR, endMs: HOUR + 60_000 };

/** The calls a step made, by the mark taken before it. */
function callsSince(server: FakeCloudWatchLogs, mark: number): CallRecord[] {
  return server.calls.slice(mark);
}

async function rejection(promise: Promise<unknown>): Promise<SourceQueryError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceQueryError);
  return error as SourceQueryError;
}

function expected(startMs: number, endMs: number): number {
  const keep = lineMatcher(FILTER);
  let n = 0;
  for (const e of stream.events(startMs, endMs)) if (keep(e.message)) n += 1;
  return n;
}

async function collect(rows: AsyncIterable<LogRecord>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe("CloudWatchSource on the fake CloudWatch Logs API", () => {
  it("counts an hour by minute exactly as the filtered lines, with half-open bounds", async () => {
    const bins = await source().histogram("pulp", { startMs: HOUR, endMs: HOUR + 3_600_000 }, 60_000);
    expect(bins).toHaveLength(60);
    expect(bins.reduce((n, b) => n + b.rows, 0)).toBe(expected(HOUR, HOUR + 3_600_000));
    const start = fake.calls.find((c) => c.op === "StartQuery" && c.queryKind === "histogram");
    expect([start?.startTime, start?.endTime]).toEqual([HOUR / 1000, HOUR / 1000 + 3600]);
  });

  it("plans an hour with a 12,000-line second into parts under 10,000 and reads every line once, none across the edges", async () => {
    const window = { startMs: HOUR, endMs: HOUR + 3_600_000 };
    const s = source();
    const measured = await measureWindow(window, { maxRows: 10_000, maxBytes: Number.MAX_SAFE_INTEGER }, (range, binMs) => s.histogram("pulp", range, binMs));
    const parts = packParts(window, measured.bins, { maxRows: 10_000, maxBytes: Number.MAX_SAFE_INTEGER });
    expect(measured.histogramQueries).toBe(3);
    let total = 0;
    let last = -Infinity;
    for (const part of parts) {
      const rows = await collect((await s.openPart("pulp", part)).rows);
      expect(rows.length).toBeGreaterThanOrEqual(part.expectedRows);
      for (const r of rows) {
        const t = Number(r.timestamp);
        expect(t).toBeGreaterThanOrEqual(Math.max(last, part.startMs));
        expect(t).toBeLessThan(part.endMs);
        last = t;
      }
      total += rows.length;
    }
    expect(total).toBe(expected(HOUR, HOUR + 3_600_000));
  });

  it("refuses a part the service truncated instead of losing rows silently", async () => {
    await expect(source(500).openPart("pulp", { startMs: HOUR, endMs: HOUR + 120_000 })).rejects.toThrow(/matched \d+ rows but returned 500/);
  });

  it("reads a dense slice exactly with FilterLogEvents paging", async () => {
    const burst = { startMs: HOUR + 1_800_000, endMs: HOUR + 1_801_000 };
    const rows = await collect((await source().scanPart("pulp", burst)).rows);
    expect(rows).toHaveLength(expected(burst.startMs, burst.endMs));
    expect(fake.calls.filter((c) => c.op === "FilterLogEvents").length).toBeGreaterThan(1);
  });

  it("names a malformed FilterLogEvents event by its id, never quoting what it holds", async () => {
    fake.inject({ on: "FilterLogEvents", kind: "malformedEvent" });
    const burst = { startMs: HOUR + 1_800_000, endMs: HOUR + 1_801_000 };
    const error = await source()
      .scanPart("pulp", burst)
      .then(async (part) => collect(part.rows))
      .then(
        () => expect.unreachable("a malformed event must fail the part"),
        (reason: unknown) => reason as Error,
      );
    expect(error.message).toMatch(/returned a malformed event malformed-1 \(timestamp: number, message: undefined\)/);
    expect(error.message).not.toMatch(/alice|203\.0\.113/);
  });

  it("surfaces a Failed query with its id, and retries throttling", async () => {
    fake.inject({ on: "StartQuery", kind: "fail", status: "Failed" });
    const failed = source().histogram("pulp", { startMs: HOUR, endMs: HOUR + 60_000 }, 60_000);
    await expect(failed).rejects.toBeInstanceOf(SourceQueryError);
    await expect(source().histogram("pulp", { startMs: HOUR, endMs: HOUR + 60_000 }, 60_000)).resolves.toHaveLength(1);
    fake.inject({ on: "StartQuery", kind: "fail", status: "Failed" });
    await expect(source().histogram("pulp", { startMs: HOUR, endMs: HOUR + 60_000 }, 60_000)).rejects.toThrow(/query \S+ ended Failed/);
    fake.inject({ on: "GetQueryResults", kind: "throttle", times: 2 });
    await expect(source().histogram("pulp", { startMs: HOUR, endMs: HOUR + 60_000 }, 60_000)).resolves.toHaveLength(1);
  });

  it("refuses filter paths that could change the query", () => {
    expect(() => validateLineFilter({ ...FILTER, includePaths: ["/api/pypi/ | stats count(*)"] })).toThrow(/not allowed/);
    expect(() => validateLineFilter({ ...FILTER, includeSuffixes: [".whl/ | stats"] })).toThrow(/not allowed/);
    expect(() => validateLineFilter({ ...FILTER, includePaths: ["/x/"], includeSuffixes: [".tar.gz"] })).not.toThrow();
  });
});

describe("Logs Insights queries that end badly or are given up on", () => {
  it.each(["Failed", "Timeout", "Cancelled"] as const)(
    "surfaces a query that ended %s as an error carrying its id, and sends no StopQuery for it",
    async (status) => {
      const mark = fake.calls.length;
      fake.inject({ on: "StartQuery", kind: "fail", status });
      const error = await rejection(source().histogram("pulp", MINUTE, 60_000));
      const queryId = callsSince(fake, mark).find((c) => c.op === "StartQuery")?.queryId ?? "";
      expect(queryId).not.toBe("");
      expect(error.message).toContain(`query ${queryId} ended ${status}`);
      expect(error.retriable).toBe(status !== "Failed");
      expect(callsSince(fake, mark).filter((c) => c.op === "StopQuery")).toEqual([]);
      expect(fake.runningQueries()).toBe(0);
    },
  );

  describe("on a service whose queries never finish", () => {
    let slow: FakeCloudWatchLogs;
    let slowClient: CloudWatchLogsClient;

    beforeAll(async () => {
      slow = await startFakeCloudWatchLogs({ groups: [stream], runningPolls: 1_000_000 });
      slowClient = new CloudWatchLogsClient(fakeClientConfig(slow, 3));
    });
    afterAll(async () => {
      slowClient.destroy();
      await slow.close();
    });

    function stopped(queryId: string): CallRecord[] {
      return slow.calls.filter((c) => c.op === "StopQuery" && c.queryId === queryId && c.status === 200);
    }

    it("stops a query that does not finish within the timeout, and says which one", async () => {
      const mark = slow.calls.length;
      const error = await rejection(source(10_000, slowClient, { timeoutMs: 50, initialPollMs: 1, maxPollMs: 5 }).histogram("pulp", MINUTE, 60_000));
      const queryId = callsSince(slow, mark).find((c) => c.op === "StartQuery")?.queryId ?? "";
      expect(error.message).toBe(`Logs Insights query ${queryId} did not finish within 0.05 s`);
      expect(error.retriable).toBe(true);
      expect(
        callsSince(slow, mark)
          .filter((c) => c.op === "GetQueryResults")
          .every((c) => c.queryStatus === "Running"),
      ).toBe(true);
      expect(stopped(queryId)).toHaveLength(1);
      expect(slow.runningQueries()).toBe(0);
    });

    it("stops a part query as soon as the export is aborted, without waiting out the poll interval", async () => {
      const mark = slow.calls.length;
      const abort = new AbortController();
      const pending = rejection(
        source(10_000, slowClient, { timeoutMs: 600_000, initialPollMs: 30_000, maxPollMs: 30_000 }).openPart("pulp", MINUTE, { abortSignal: abort.signal }),
      );
      while (!callsSince(slow, mark).some((c) => c.op === "GetQueryResults" && c.status === 200)) await sleep(2);
      // Let the answer arrive: the abort lands between polls.
      await sleep(50);
      expect(slow.runningQueries()).toBe(1);
      abort.abort();
      // Waiting out the 30 s poll interval would outlast this test's timeout: settling at all is the check.
      const error = await pending;
      const queryId = callsSince(slow, mark).find((c) => c.op === "StartQuery")?.queryId ?? "";
      expect(error.message).toBe(`Logs Insights query ${queryId} was aborted`);
      expect(error.retriable).toBe(false);
      expect(stopped(queryId)).toHaveLength(1);
      expect(slow.runningQueries()).toBe(0);
    }, 10_000);
  });
});

describe("retries through the source (the SDK client as the export configures it, 3 attempts)", () => {
  const transient: ReadonlyArray<[string, Fault]> = [
    ["a 503 on StartQuery", { on: "StartQuery", kind: "status", status: 503 }],
    ["a 500 on GetQueryResults", { on: "GetQueryResults", kind: "status", status: 500 }],
    ["two 502s on GetQueryResults", { on: "GetQueryResults", kind: "status", status: 502, times: 2 }],
    ["throttling on StartQuery", { on: "StartQuery", kind: "throttle", times: 2 }],
    ["a LimitExceededException on StartQuery", { on: "StartQuery", kind: "error", type: "LimitExceededException" }],
    ["a dropped connection on GetQueryResults", { on: "GetQueryResults", kind: "reset" }],
  ];

  it.each(transient)("counts a minute exactly despite %s", async (_name, fault) => {
    const mark = fake.calls.length;
    fake.inject(fault);
    const bins = await source().histogram("pulp", MINUTE, 60_000);
    expect(bins.map((b) => b.rows)).toEqual([expected(MINUTE.startMs, MINUTE.endMs)]);
    const faulted = callsSince(fake, mark).filter((c) => c.fault !== undefined);
    expect(faulted.map((c) => c.op)).toEqual(Array.from({ length: fault.times ?? 1 }, () => fault.on));
    expect(
      callsSince(fake, mark)
        .filter((c) => c.op === fault.on)
        .at(-1)?.status,
    ).toBe(200);
  });

  it.each<[string, Fault]>([
    ["throttling", { on: "FilterLogEvents", kind: "throttle", times: 2, skip: 1 }],
    ["a 504", { on: "FilterLogEvents", kind: "status", status: 504, skip: 2 }],
  ])("scans a dense second exactly despite %s on a later FilterLogEvents page", async (_name, fault) => {
    const burst = { startMs: HOUR + 1_800_000, endMs: HOUR + 1_801_000 };
    const mark = fake.calls.length;
    fake.inject(fault);
    const rows = await collect((await source().scanPart("pulp", burst)).rows);
    expect(rows).toHaveLength(expected(burst.startMs, burst.endMs));
    expect(new Set(rows.map((r) => `${String(r.timestamp)} ${String(r.message)}`)).size).toBe(rows.length);
    expect(callsSince(fake, mark).filter((c) => c.fault !== undefined)).toHaveLength(fault.times ?? 1);
  });

  it.each<[string, Operation, Fault, boolean, number]>([
    ["5xx", "StartQuery", { on: "StartQuery", kind: "status", status: 503, times: 3 }, true, 3],
    ["a missing log group", "StartQuery", { on: "StartQuery", kind: "error", type: "ResourceNotFoundException" }, false, 1],
  ])(
    "once the SDK's attempts are spent, %s is a SourceQueryError the engine may retry only when it is transient",
    async (_name, op, fault, retriable, attempts) => {
      const mark = fake.calls.length;
      fake.inject(fault);
      const error = await rejection(source().histogram("pulp", MINUTE, 60_000));
      expect(error.retriable).toBe(retriable);
      expect(callsSince(fake, mark).filter((c) => c.op === op)).toHaveLength(attempts);
      expect(fake.runningQueries()).toBe(0);
    },
  );

  it.each<[string, Fault]>([
    ["throttling on GetQueryResults", { on: "GetQueryResults", kind: "throttle", times: 4 }],
    ["LimitExceededException on StartQuery", { on: "StartQuery", kind: "error", type: "LimitExceededException", times: 4 }],
  ])("waits out %s past the SDK's attempts inside the query, and counts the refusals", async (_name, fault) => {
    const mark = fake.calls.length;
    const limited = source();
    fake.inject(fault);
    const bins = await limited.histogram("pulp", MINUTE, 60_000);
    expect(bins.map((b) => b.rows)).toEqual([expected(MINUTE.startMs, MINUTE.endMs)]);
    expect(callsSince(fake, mark).filter((c) => c.fault !== undefined)).toHaveLength(4);
    // The SDK's 3 attempts (it classes both as throttling), then one refusal the source waits out and sends again.
    expect(limited.statistics().throttled).toBe(1);
    expect(fake.runningQueries()).toBe(0);
  });

  it("gives up waiting for a slot at the query's timeout, with an error the engine may retry", async () => {
    // An account whose every query slot is taken: each StartQuery is refused.
    const full = await startFakeCloudWatchLogs({
      groups: [stream],
      limits: { queries: { concurrentQueries: 0, requestsPerWindow: { StartQuery: 1_000, GetQueryResults: 1_000 } } },
    });
    const fullClient = new CloudWatchLogsClient(fakeClientConfig(full, 3));
    try {
      const limited = source(10_000, fullClient, { timeoutMs: 40, initialPollMs: 1, maxPollMs: 5 });
      const error = await rejection(limited.histogram("pulp", MINUTE, 60_000));
      expect(error.retriable).toBe(true);
      expect(error.message).toMatch(/LimitExceededException/);
      expect(limited.statistics().throttled).toBeGreaterThan(0);
      expect(full.calls.filter((c) => c.op === "StartQuery" && c.error === "LimitExceededException").length).toBe(3 * (limited.statistics().throttled + 1));
    } finally {
      fullClient.destroy();
      await full.close();
    }
  });
});
