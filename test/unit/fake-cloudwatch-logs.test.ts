import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  InvalidParameterException,
  LimitExceededException,
  MalformedQueryException,
  paginateFilterLogEvents,
  ResourceNotFoundException,
  type ResultField,
  ServiceUnavailableException,
  StartQueryCommand,
  StopQueryCommand,
  ThrottlingException,
} from "@aws-sdk/client-cloudwatch-logs";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HOUR_MS, MINUTE_MS, SECOND_MS } from "../../shared/core/time.js";
import {
  fakeClientConfig,
  formatInsightsTime,
  parseInsightsQuery,
  parseInsightsTime,
  startFakeCloudWatchLogs,
  type FakeCloudWatchLogs,
  type FakeCloudWatchLogsOptions,
} from "../helpers/fake-cloudwatch-logs.js";
import { DEFAULT_LOG_GROUP, PulpLogStream, pulpHourStream, type PulpLogEvent } from "../helpers/pulp-log-stream.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
/** 12,000 events in one second: more than one query may return. */
const BURST_SECOND = HOUR + 30 * MINUTE_MS + 7 * SECOND_MS;
const BURST = 12_000;
const GROUP = DEFAULT_LOG_GROUP;
/** 36,000 regular events: 10 a second, so every second has an event at .000 and at .999. */
const stream = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 36_000, bursts: [{ secondStartMs: BURST_SECOND, events: BURST }] });

const seconds = (ms: number): number => Math.floor(ms / SECOND_MS);

function fieldMap(row: readonly ResultField[]): Record<string, string> {
  return Object.fromEntries(row.map((f) => [f.field ?? "", f.value ?? ""]));
}

function eventsIn(startMs: number, endMs: number): PulpLogEvent[] {
  return [...stream.events(startMs, endMs)];
}

async function withFake<T>(options: FakeCloudWatchLogsOptions, body: (fake: FakeCloudWatchLogs, client: CloudWatchLogsClient) => Promise<T>): Promise<T> {
  const fake = await startFakeCloudWatchLogs({ groups: [stream], ...options });
  const client = new CloudWatchLogsClient(fakeClientConfig(fake));
  try {
    return await body(fake, client);
  } finally {
    client.destroy();
    await fake.close();
  }
}

async function startQuery(client: CloudWatchLogsClient, queryString: string, startS: number, endS: number, limit?: number): Promise<string> {
  const { queryId } = await client.send(new StartQueryCommand({ logGroupName: GROUP, startTime: startS, endTime: endS, queryString, limit }));
  if (queryId === undefined) throw new Error("no queryId");
  return queryId;
}

/** Polls until the query leaves Scheduled/Running; returns every poll's output. */
async function poll(client: CloudWatchLogsClient, queryId: string): Promise<GetQueryResultsCommandOutput[]> {
  const outputs: GetQueryResultsCommandOutput[] = [];
  for (let i = 0; i < 20; i += 1) {
    const out = await client.send(new GetQueryResultsCommand({ queryId }));
    outputs.push(out);
    if (out.status !== "Scheduled" && out.status !== "Running") return outputs;
  }
  throw new Error("query never finished");
}

async function runQuery(
  client: CloudWatchLogsClient,
  queryString: string,
  startS: number,
  endS: number,
  limit?: number,
): Promise<GetQueryResultsCommandOutput> {
  const outputs = await poll(client, await startQuery(client, queryString, startS, endS, limit));
  return outputs.at(-1) as GetQueryResultsCommandOutput;
}

const rowsQuery = (startMs: number, endMs: number, extra = ""): string =>
  `fields @timestamp, @message, @logStream | filter @timestamp >= ${startMs} and @timestamp < ${endMs}${extra} | sort @timestamp asc`;

describe("fake CloudWatch Logs: Logs Insights queries through the real SDK", () => {
  let fake: FakeCloudWatchLogs;
  let client: CloudWatchLogsClient;

  beforeAll(async () => {
    fake = await startFakeCloudWatchLogs({ groups: [stream], runningPolls: 2 });
    client = new CloudWatchLogsClient(fakeClientConfig(fake));
  });
  afterAll(async () => {
    client.destroy();
    await fake.close();
  });

  it("starts, reports Running with partial results, then Complete with exactly the matching events", async () => {
    const startMs = HOUR + 5 * MINUTE_MS + 250;
    const endMs = HOUR + 5 * MINUTE_MS + 20 * SECOND_MS + 999;
    const queryId = await startQuery(client, rowsQuery(startMs, endMs), seconds(startMs), seconds(endMs) + 1);
    const outputs = await poll(client, queryId);
    expect(outputs.map((o) => o.status)).toEqual(["Running", "Running", "Complete"]);
    const expected = eventsIn(startMs, endMs);
    const final = outputs[2] as GetQueryResultsCommandOutput;
    expect(outputs[0]?.results?.length).toBeLessThan(expected.length);
    expect(final.results).toHaveLength(expected.length);
    expect(final.statistics?.recordsMatched).toBe(expected.length);
    // The scan covers the StartQuery range (whole seconds), not the @timestamp filter.
    const scanned = stream.count(seconds(startMs) * SECOND_MS, (seconds(endMs) + 1) * SECOND_MS + 1);
    expect(final.statistics?.recordsScanned).toBe(scanned);
    expect(final.statistics?.bytesScanned).toBe(scanned * stream.bytesPerEvent);
    final.results?.forEach((row, i) => {
      const event = expected[i] as PulpLogEvent;
      const fields = fieldMap(row);
      expect(Object.keys(fields)).toEqual(["@timestamp", "@message", "@logStream", "@ptr"]);
      expect(parseInsightsTime(fields["@timestamp"] ?? "")).toBe(event.timestamp);
      expect(fields["@message"]).toBe(event.message);
      expect(fields["@logStream"]).toBe(event.logStreamName);
    });
    const polls = fake.calls.filter((c) => c.queryId === queryId && c.op === "GetQueryResults");
    expect(polls.map((c) => [c.queryStatus, c.rows])).toEqual(outputs.map((o) => [o.status, o.results?.length]));
    expect(fake.calls.find((c) => c.queryId === queryId && c.op === "StartQuery")).toMatchObject({
      queryKind: "rows",
      startTime: seconds(startMs),
      endTime: seconds(endMs) + 1,
      logGroupNames: [GROUP],
      status: 200,
    });
  });

  it("merges several log groups by timestamp and names each row's @log", async () => {
    const other = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 7_200, logGroupName: "/other/group", seed: "b" });
    await withFake({ runningPolls: 0, groups: [stream, other] }, async (_fake, c) => {
      const startS = seconds(HOUR + 2 * MINUTE_MS);
      const { queryId } = await c.send(
        new StartQueryCommand({
          logGroupNames: [GROUP, "/other/group"],
          startTime: startS,
          endTime: startS + 2,
          queryString: "fields @timestamp, @log | sort @timestamp asc",
        }),
      );
      const [out] = await poll(c, queryId ?? "");
      const rows = (out?.results ?? []).map(fieldMap);
      const range = [startS * SECOND_MS, (startS + 2) * SECOND_MS + 1] as const;
      expect(rows).toHaveLength(stream.count(...range) + other.count(...range));
      const times = rows.map((r) => parseInsightsTime(r["@timestamp"] ?? ""));
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      expect(new Set(rows.map((r) => r["@log"]))).toEqual(new Set([`123456789012:${GROUP}`, "123456789012:/other/group"]));
      expect(out?.statistics?.recordsScanned).toBe(rows.length);
    });
  });

  it("applies StartQuery's inclusive endTime at its first millisecond", async () => {
    const startS = seconds(HOUR + 10 * MINUTE_MS);
    const out = await runQuery(client, "fields @timestamp | sort @timestamp asc", startS, startS + 1);
    const times = (out.results ?? []).map((row) => parseInsightsTime(fieldMap(row)["@timestamp"] ?? ""));
    expect(times).toHaveLength(stream.count(startS * SECOND_MS, (startS + 1) * SECOND_MS + 1));
    expect(times.at(-1)).toBe((startS + 1) * SECOND_MS); // the end second's .000 event, nothing after it
    expect(times.filter((t) => t >= (startS + 1) * SECOND_MS)).toHaveLength(1);
  });

  it("with startQueryEnd: 'wholeSecond' includes all of the end second", async () => {
    await withFake({ runningPolls: 0, startQueryEnd: "wholeSecond" }, async (_fake, c) => {
      const startS = seconds(HOUR + 10 * MINUTE_MS);
      const out = await runQuery(c, "fields @timestamp | sort @timestamp asc", startS, startS + 1);
      expect(out.results).toHaveLength(stream.count(startS * SECOND_MS, (startS + 2) * SECOND_MS));
    });
  });

  it("caps results at 10,000 rows while recordsMatched keeps the true count", async () => {
    const out = await runQuery(client, rowsQuery(BURST_SECOND, BURST_SECOND + SECOND_MS), seconds(BURST_SECOND), seconds(BURST_SECOND) + 1);
    const expected = stream.count(BURST_SECOND, BURST_SECOND + SECOND_MS);
    expect(expected).toBe(BURST + 10);
    expect(out.status).toBe("Complete");
    expect(out.results).toHaveLength(10_000);
    expect(out.statistics?.recordsMatched).toBe(expected);
    // sort asc keeps the oldest 10,000.
    const first = eventsIn(BURST_SECOND, BURST_SECOND + SECOND_MS).slice(0, 10_000);
    expect(out.results?.map((r) => fieldMap(r)["@message"])).toEqual(first.map((e) => e.message));
  });

  it("caps a desc (or unsorted) query to the newest rows", async () => {
    const query = `fields @timestamp | filter @timestamp >= ${BURST_SECOND} and @timestamp < ${BURST_SECOND + SECOND_MS}`;
    for (const q of [query, `${query} | sort @timestamp desc`]) {
      const out = await runQuery(client, q, seconds(BURST_SECOND), seconds(BURST_SECOND) + 1);
      const times = (out.results ?? []).map((r) => parseInsightsTime(fieldMap(r)["@timestamp"] ?? ""));
      expect(times).toHaveLength(10_000);
      expect(times[0]).toBe(BURST_SECOND + 999);
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    }
  });

  it("honours `| limit N` and the StartQuery limit, and rejects limits above the cap", async () => {
    const range = [seconds(HOUR), seconds(HOUR) + 59] as const;
    expect((await runQuery(client, "fields @timestamp | sort @timestamp asc | limit 25", ...range)).results).toHaveLength(25);
    expect((await runQuery(client, "fields @timestamp | sort @timestamp asc", ...range, 7)).results).toHaveLength(7);
    await expect(startQuery(client, "fields @timestamp | limit 10001", ...range)).rejects.toBeInstanceOf(MalformedQueryException);
    await expect(startQuery(client, "fields @timestamp", ...range, 10_001)).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("answers stats count(*) by bin(1m) like the histogram, with the service's field names", async () => {
    const out = await runQuery(client, "stats count(*) by bin(1m)", seconds(HOUR), seconds(HOUR + HOUR_MS) - 1);
    expect(out.results?.[0]?.map((f) => f.field)).toEqual(["bin(1m)", "count(*)"]);
    const got = (out.results ?? []).map((row) => ({ binStartMs: parseInsightsTime(fieldMap(row)["bin(1m)"] ?? ""), count: Number(fieldMap(row)["count(*)"]) }));
    got.sort((a, b) => a.binStartMs - b.binStartMs);
    // StartQuery's end second (59:59) counts only its .000 event.
    expect(got).toEqual(stream.histogram(HOUR, HOUR + HOUR_MS - 999, MINUTE_MS));
    expect(out.statistics?.recordsMatched).toBe(stream.count(HOUR, HOUR + HOUR_MS - 999));
  });

  it("bins half-open @timestamp windows by 1s and 1ms, with aliases and sort", async () => {
    const start = BURST_SECOND - 2 * SECOND_MS;
    const end = BURST_SECOND + 2 * SECOND_MS;
    const q = `filter @timestamp >= ${start} and @timestamp < ${end} | stats count(*) as rows by bin(1s) as t | sort t asc`;
    const out = await runQuery(client, q, seconds(start), seconds(end));
    expect(out.results?.map((r) => [fieldMap(r).t, Number(fieldMap(r).rows)])).toEqual(
      stream.histogram(start, end, SECOND_MS).map((b) => [formatInsightsTime(b.binStartMs), b.count]),
    );
    const ms = await runQuery(
      client,
      `filter @timestamp >= ${BURST_SECOND} and @timestamp < ${BURST_SECOND + 100} | stats count(*) by bin(1ms)`,
      seconds(BURST_SECOND),
      seconds(BURST_SECOND) + 1,
    );
    const total = (ms.results ?? []).reduce((sum, r) => sum + Number(fieldMap(r)["count(*)"]), 0);
    expect(total).toBe(stream.count(BURST_SECOND, BURST_SECOND + 100));
    expect(ms.results).toHaveLength(100);
  });

  it("filters @message with like / not like regexes (also inside stats)", async () => {
    const start = HOUR + 20 * MINUTE_MS;
    const end = start + 2 * MINUTE_MS;
    const filters = " and @message like /\\/api\\/pypi\\// and @message not like /django\\.request:WARNING|\\/livez/";
    const expected = eventsIn(start, end).filter((e) => e.message.includes("/api/pypi/") && !e.message.includes("django.request:WARNING"));
    const out = await runQuery(client, rowsQuery(start, end, filters), seconds(start), seconds(end));
    expect(out.results?.map((r) => fieldMap(r)["@message"])).toEqual(expected.map((e) => e.message));
    expect(expected.some((e) => e.kind === "malformed")).toBe(true);
    const counted = await runQuery(
      client,
      `filter @timestamp >= ${start} and @timestamp < ${end}${filters} | stats count(*) as n`,
      seconds(start),
      seconds(end),
    );
    expect(counted.results).toEqual([[{ field: "n", value: String(expected.length) }]]);
  });

  it("surfaces Failed (and Timeout) query statuses injected at StartQuery", async () => {
    fake.inject({ on: "StartQuery", kind: "fail" });
    fake.inject({ on: "StartQuery", kind: "fail", status: "Timeout" });
    const failed = await runQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1);
    expect(failed.status).toBe("Failed");
    expect(failed.results).toEqual([]);
    expect((await runQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1)).status).toBe("Timeout");
    expect((await runQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1)).status).toBe("Complete");
  });

  it("stops a running query (then Cancelled) and refuses to stop a finished one", async () => {
    const queryId = await startQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1);
    expect((await client.send(new StopQueryCommand({ queryId }))).success).toBe(true);
    expect((await client.send(new GetQueryResultsCommand({ queryId }))).status).toBe("Cancelled");
    expect((await client.send(new StopQueryCommand({ queryId }))).success).toBe(false);
    await expect(client.send(new GetQueryResultsCommand({ queryId: "nope" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("rejects unknown syntax, unknown groups and bad ranges with the service's exceptions (not retried)", async () => {
    const before = fake.calls.length;
    const error = await startQuery(client, "fields @timestamp | parse @message 'user:*' as user", seconds(HOUR), seconds(HOUR) + 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedQueryException);
    expect((error as MalformedQueryException).message).toMatch(/parse/);
    expect((error as MalformedQueryException).queryCompileError?.location?.startCharOffset).toBe(20);
    await expect(
      client.send(new StartQueryCommand({ logGroupName: "/nope", startTime: seconds(HOUR), endTime: seconds(HOUR), queryString: "fields @timestamp" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(startQuery(client, "fields @timestamp", seconds(HOUR) + 5, seconds(HOUR))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(startQuery(client, "fields @timestamp", HOUR, HOUR + 1)).rejects.toThrow(/seconds/);
    expect(fake.calls.length - before).toBe(4);
  });
});

describe("fake CloudWatch Logs: faults and retries", () => {
  let fake: FakeCloudWatchLogs;
  let client: CloudWatchLogsClient;

  beforeAll(async () => {
    fake = await startFakeCloudWatchLogs({ groups: [stream], runningPolls: 0 });
    client = new CloudWatchLogsClient(fakeClientConfig(fake)); // maxAttempts 2
  });
  let mark = 0;
  /** Calls made by the current test. */
  const calls = (): typeof fake.calls => fake.calls.slice(mark);
  beforeEach(() => {
    mark = fake.calls.length;
  });
  afterAll(async () => {
    client.destroy();
    await fake.close();
  });

  it("throttling is retried by the SDK", async () => {
    fake.inject({ on: "StartQuery", kind: "throttle" });
    const out = await runQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1);
    expect(out.status).toBe("Complete");
    expect(calls().map((c) => [c.op, c.status, c.error])).toEqual([
      ["StartQuery", 400, "ThrottlingException"],
      ["StartQuery", 200, undefined],
      ["GetQueryResults", 200, undefined],
    ]);
  });

  it("gives up after maxAttempts and surfaces ThrottlingException", async () => {
    fake.inject({ on: "any", kind: "throttle", times: 2 });
    await expect(startQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1)).rejects.toBeInstanceOf(ThrottlingException);
    expect(calls()).toHaveLength(2);
  });

  it("5xx and dropped connections are retried; faults can target one query shape", async () => {
    fake.inject({ on: "GetQueryResults", kind: "status", status: 503, queryMatches: /stats/ });
    const rows = await runQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1);
    expect(rows.status).toBe("Complete");
    expect(calls().filter((c) => c.fault !== undefined)).toHaveLength(0);
    const histogram = await runQuery(client, "stats count(*) by bin(1m)", seconds(HOUR), seconds(HOUR) + 1);
    expect(histogram.status).toBe("Complete");
    expect(
      calls()
        .filter((c) => c.op === "GetQueryResults" && c.queryKind === "histogram")
        .map((c) => [c.status, c.fault]),
    ).toEqual([
      [503, "status"],
      [200, undefined],
    ]);

    fake.inject({ on: "StartQuery", kind: "reset" });
    await startQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1);
    expect(
      calls()
        .slice(-2)
        .map((c) => [c.op, c.status, c.fault]),
    ).toEqual([
      ["StartQuery", 0, "reset"],
      ["StartQuery", 200, undefined],
    ]);

    fake.inject({ on: "GetQueryResults", kind: "status", status: 500, times: 2 });
    const queryId = await startQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1);
    await expect(client.send(new GetQueryResultsCommand({ queryId }))).rejects.toBeInstanceOf(ServiceUnavailableException);
  });

  it("skip lets matching requests through before the fault applies", async () => {
    fake.inject({ on: "StartQuery", kind: "error", type: "InvalidParameterException", skip: 1 });
    await startQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1);
    await expect(startQuery(client, "fields @timestamp", seconds(HOUR), seconds(HOUR) + 1)).rejects.toBeInstanceOf(InvalidParameterException);
    expect(calls().map((c) => c.status)).toEqual([200, 400]); // a client error is not retried
  });

  it("refuses queries beyond the concurrency limit with LimitExceededException", async () => {
    await withFake({ maxConcurrentQueries: 2, runningPolls: 0 }, async (f, c) => {
      const a = await startQuery(c, "fields @timestamp", seconds(HOUR), seconds(HOUR));
      await startQuery(c, "fields @timestamp", seconds(HOUR), seconds(HOUR));
      await expect(startQuery(c, "fields @timestamp", seconds(HOUR), seconds(HOUR))).rejects.toBeInstanceOf(LimitExceededException);
      expect(f.runningQueries()).toBe(2);
      await poll(c, a); // reading the final status frees the slot
      await startQuery(c, "fields @timestamp", seconds(HOUR), seconds(HOUR));
    });
  });
});

describe("fake CloudWatch Logs: paged results beyond 10,000 (maxQueryResults: 100,000)", () => {
  it("returns up to the StartQuery limit through GetQueryResults maxItems/nextToken pages", async () => {
    await withFake({ runningPolls: 0, maxQueryResults: 100_000 }, async (_fake, c) => {
      const queryId = await startQuery(c, rowsQuery(BURST_SECOND, BURST_SECOND + SECOND_MS), seconds(BURST_SECOND), seconds(BURST_SECOND) + 1, 100_000);
      const messages: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const out = await c.send(new GetQueryResultsCommand({ queryId, maxItems: 5_000, nextToken }));
        expect(out.status).toBe("Complete");
        for (const row of out.results ?? []) messages.push(fieldMap(row)["@message"] ?? "");
        nextToken = out.nextToken;
        pages += 1;
      } while (nextToken !== undefined);
      expect(pages).toBe(3);
      expect(messages).toEqual(eventsIn(BURST_SECOND, BURST_SECOND + SECOND_MS).map((e) => e.message));
      // Without a limit, the default of 10,000 still applies.
      const defaultLimit = await runQuery(c, rowsQuery(BURST_SECOND, BURST_SECOND + SECOND_MS), seconds(BURST_SECOND), seconds(BURST_SECOND) + 1);
      expect(defaultLimit.results).toHaveLength(10_000);
    });
  });
});

describe("fake CloudWatch Logs: FilterLogEvents", () => {
  it("pages a burst second exactly (≤ 10,000 events and ≤ 1 MB a page), with an injected empty page", async () => {
    await withFake({}, async (fake, c) => {
      fake.inject({ on: "FilterLogEvents", kind: "emptyPage", skip: 2 });
      const startMs = BURST_SECOND - 500;
      const endMs = BURST_SECOND + SECOND_MS; // inclusive: the next second's .000 event is returned
      const got: Array<{ eventId?: string; timestamp?: number; message?: string }> = [];
      for await (const page of paginateFilterLogEvents({ client: c }, { logGroupName: GROUP, startTime: startMs, endTime: endMs })) {
        got.push(...(page.events ?? []));
      }
      const expected = eventsIn(startMs, endMs + 1);
      expect(got.map((e) => e.eventId)).toEqual(expected.map((e) => e.eventId));
      expect(got.at(-1)?.timestamp).toBe(endMs);
      const pages = fake.calls.filter((c2) => c2.op === "FilterLogEvents");
      expect(pages.every((p) => p.rows <= 10_000)).toBe(true);
      expect(pages.some((p) => p.fault === "emptyPage" && p.rows === 0 && p.nextToken === true)).toBe(true);
      expect(pages.length).toBeGreaterThan(Math.ceil((expected.length * 660) / 1_048_576));
    });
  });

  it("honours limit, logStreamNames and an exclusive endTime when configured", async () => {
    await withFake({ filterLogEventsEnd: "exclusive" }, async (_fake, c) => {
      const startMs = HOUR;
      const endMs = HOUR + 3 * SECOND_MS;
      const streamName = stream.logStreamNames[1] as string;
      const all: string[] = [];
      for await (const page of paginateFilterLogEvents(
        { client: c, pageSize: 4 },
        { logGroupName: GROUP, startTime: startMs, endTime: endMs, logStreamNames: [streamName] },
      )) {
        expect(page.events?.length ?? 0).toBeLessThanOrEqual(4);
        for (const e of page.events ?? []) all.push(`${e.timestamp}:${e.logStreamName}`);
      }
      const expected = [...stream.events(startMs, endMs, { logStreamNames: [streamName] })].map((e) => `${e.timestamp}:${e.logStreamName}`);
      expect(all).toEqual(expected);
      await expect(c.send(new FilterLogEventsCommand({ logGroupName: GROUP, startTime: startMs, endTime: endMs, limit: 10_001 }))).rejects.toBeInstanceOf(
        InvalidParameterException,
      );
    });
  });

  it("is throttled by a configured rate limit, and the SDK retries", async () => {
    await withFake({ rateLimits: { FilterLogEvents: 1 } }, async (fake, c) => {
      const request = { logGroupName: GROUP, startTime: HOUR, endTime: HOUR + 10 };
      await c.send(new FilterLogEventsCommand(request));
      await expect(c.send(new FilterLogEventsCommand(request))).rejects.toBeInstanceOf(ThrottlingException);
      expect(fake.calls.map((call) => call.error)).toEqual([undefined, "ThrottlingException", "ThrottlingException"]);
    });
  });
});

describe("parseInsightsQuery", () => {
  it("splits commands outside regexes and strings, and drops comments", () => {
    const q = parseInsightsQuery(
      '# exported by logexport\nfields @timestamp, @message\n| filter @message like /a|b/ and @logStream = "x|y"\n| sort @timestamp asc | limit 5',
    );
    expect(q).toMatchObject({ kind: "rows", fields: ["@timestamp", "@message"], sort: "asc", limit: 5 });
    expect(q.predicates).toHaveLength(2);
  });

  it("folds @timestamp comparisons into a half-open window", () => {
    expect(parseInsightsQuery("fields @timestamp | filter @timestamp > 10 and @timestamp <= 20 and @timestamp >= 5")).toMatchObject({ minMs: 11, maxMs: 21 });
  });

  it("supports (?i) regexes and rejects what it does not know, naming it", () => {
    const q = parseInsightsQuery("fields @message | filter @message like /(?i)GET/");
    expect(q.predicates[0]?.({ message: "get x", logStreamName: "", timestamp: 0, ingestionTime: 0, eventId: "", cursor: "" })).toBe(true);
    expect(() => parseInsightsQuery("fields @timestamp | filter @message like /a/ or @message like /b/")).toThrow(/"and"/);
    expect(() => parseInsightsQuery("stats count(*) by bin(1mo)")).toThrow(/bin width/);
    expect(() => parseInsightsQuery("stats avg(x) by bin(1m)")).toThrow(/count/);
    expect(() => parseInsightsQuery("fields @timestamp | sort @timestamp")).toThrow(/direction required/);
    expect(() => parseInsightsQuery("fields @timestamp | limit 5 | sort @timestamp asc")).toThrow(/last/);
    expect(() => parseInsightsQuery("filter @timestamp > 0")).toThrow(/fields or stats/);
    expect(() => parseInsightsQuery("fields user")).toThrow(/not "user"/);
  });

  it("names stats columns after their expression text unless aliased", () => {
    expect(parseInsightsQuery("stats count(*) by bin(5 minutes)").stats).toEqual({ countField: "count(*)", binField: "bin(5 minutes)", binMs: 300_000 });
    expect(parseInsightsQuery("stats count() as n").stats).toEqual({ countField: "n" });
  });
});

describe("PulpLogStream", () => {
  it("counts exactly, with events at the .000 and .999 edges of every busy second", () => {
    expect(stream.count(HOUR, HOUR + HOUR_MS)).toBe(36_000 + BURST);
    expect(stream.count(HOUR - 600 * SECOND_MS, HOUR)).toBe(6_000); // the margin before the hour
    const edges = eventsIn(HOUR - 1, HOUR + 1);
    expect(edges.map((e) => e.timestamp - HOUR)).toEqual([-1, 0]);
    expect(eventsIn(HOUR, HOUR + SECOND_MS).map((e) => e.timestamp - HOUR)).toEqual([0, 111, 222, 333, 444, 555, 666, 777, 888, 999]);
    const burst = eventsIn(BURST_SECOND, BURST_SECOND + SECOND_MS);
    expect(burst).toHaveLength(BURST + 10);
    expect(new Set(burst.map((e) => e.eventId)).size).toBe(burst.length);
    for (const [a, b] of [
      [0, 1],
      [123, 124],
      [998, 999],
    ] as const)
      expect(stream.count(BURST_SECOND + a, BURST_SECOND + b)).toBe(burst.filter((e) => e.timestamp === BURST_SECOND + a).length);
  });

  it("matches its own histogram and resumes after a cursor", () => {
    const start = BURST_SECOND - 3_456;
    const end = BURST_SECOND + 2_001;
    const counts = new Map<number, number>();
    for (const e of stream.events(start, end)) counts.set(Math.floor(e.timestamp / 250) * 250, (counts.get(Math.floor(e.timestamp / 250) * 250) ?? 0) + 1);
    expect(stream.histogram(start, end, 250)).toEqual([...counts].map(([binStartMs, count]) => ({ binStartMs, count })));
    const all = eventsIn(start, end);
    const cut = all[7_000] as PulpLogEvent;
    expect([...stream.events(start, end, { afterCursor: cut.cursor })].map((e) => e.eventId)).toEqual(all.slice(7_001).map((e) => e.eventId));
  });

  it("is deterministic per seed and mixes every kind of line, with truth matching the text", () => {
    const again = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 36_000, bursts: [{ secondStartMs: BURST_SECOND, events: BURST }] });
    const other = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 36_000, seed: "other" });
    const sample = eventsIn(HOUR, HOUR + 5 * MINUTE_MS);
    expect([...again.events(HOUR, HOUR + 5 * MINUTE_MS)].map((e) => e.message)).toEqual(sample.map((e) => e.message));
    expect([...other.events(HOUR, HOUR + SECOND_MS)].map((e) => e.message)).not.toEqual(sample.slice(0, 10).map((e) => e.message));
    const kinds = new Set(sample.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(["access", "anonymous", "djangoWarning", "health", "malformed", "otherPath", "pypiNonPackage", "threat"]);
    expect(new Set(sample.filter((e) => e.kind === "threat").map((e) => e.threat)).size).toBe(5);
    for (const e of sample) {
      if (e.shape === "log" && e.kind !== "malformed") {
        const envelope = JSON.parse(e.message) as { log: string; kubernetes: { pod_name: string } };
        expect(envelope.log).toBe(`${e.line}\n`);
        expect(e.logStreamName.startsWith(envelope.kubernetes.pod_name)).toBe(true);
      } else if (e.shape === "bare") {
        expect(e.message).toBe(e.line);
      }
      if (e.access) {
        expect(e.line).toContain(` user:${e.access.user ?? "-"} org_id:${e.access.orgId ?? "-"} `);
        expect(e.line).toContain(`"${e.access.method} ${e.access.target} HTTP/1.1" ${e.access.statusCode} `);
        expect(e.line.replace(/\)$/, "").endsWith(`x_forwarded_for:"${e.access.xForwardedFor ?? "-"}"`)).toBe(true);
      }
      if (e.kind === "malformed" || e.kind === "djangoWarning" || e.kind === "access") expect(e.message).toContain("/api/pypi/");
    }
    expect(sample.filter((e) => e.kind === "malformed" && e.shape === "log").some((e) => !e.message.endsWith("}"))).toBe(true);
    expect(sample.some((e) => e.line.startsWith("(pulp ["))).toBe(true);
  });

  it("holds each line bare or in a message or log envelope, as asked", () => {
    for (const envelope of ["bare", "message", "log"] as const) {
      const events = [...pulpHourStream({ hourStartMs: HOUR, eventsInHour: 3_600, envelope }).events(HOUR, HOUR + 5 * MINUTE_MS)];
      expect(new Set(events.map((e) => e.shape))).toEqual(new Set([envelope]));
      for (const e of events.filter((x) => x.kind !== "malformed")) {
        const parsed = envelope === "bare" ? undefined : (JSON.parse(e.message) as Record<string, unknown>);
        expect(envelope === "bare" ? e.message : envelope === "message" ? parsed?.message : parsed?.log).toBe(envelope === "log" ? `${e.line}\n` : e.line);
      }
    }
  });

  it("generates a million-event hour in constant memory", () => {
    const big = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 1_000_000, marginSeconds: 0 });
    expect(big.count(HOUR, HOUR + HOUR_MS)).toBe(1_000_000);
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let n = 0;
    let peak = 0;
    for (const e of big.events(HOUR, HOUR + HOUR_MS)) {
      n += 1;
      if ((n & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - heapBefore);
      if (e.timestamp < HOUR) throw new Error("out of range");
    }
    expect(n).toBe(1_000_000);
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });

  it("count and histogram agree with the generated events for any layout and range", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2_500 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 2_999 }),
        fc.integer({ min: 0, max: 3_000 }),
        (perSecond, a, length) => {
          const layout = new PulpLogStream({ eventsInSecond: (s) => perSecond[(s - HOUR) / SECOND_MS] ?? 0 });
          const start = HOUR + a;
          const end = start + length;
          const events = [...layout.events(start, end)];
          expect(layout.count(start, end)).toBe(events.length);
          expect(events.every((e) => e.timestamp >= start && e.timestamp < end)).toBe(true);
          expect(layout.histogram(start, end, 7).reduce((sum, b) => sum + b.count, 0)).toBe(events.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("rejects a bad layout loudly", () => {
    const bad = new PulpLogStream({ eventsInSecond: () => -1 });
    expect(() => bad.count(HOUR, HOUR + SECOND_MS)).toThrow(RangeError);
  });
});
