import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SourceQueryError } from "../../shared/core/errors.js";
import type { LogRecord } from "../../shared/core/records.js";
import { measureWindow, packParts } from "../../shared/engine/parts.js";
import { lineMatcher, validateLineFilter, type LineFilter } from "../../shared/sources/cloudwatch/insights.js";
import { CloudWatchSource } from "../../shared/sources/cloudwatch/source.js";
import { fakeClientConfig, startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { pulpHourStream, type PulpLogStream } from "../helpers/pulp-log-stream.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const GROUP = "/aws/containerinsights/pulp-prod/application";
const FILTER: LineFilter = { includePaths: ["/api/pypi/"], excludePaths: ["/livez", "/status"], excludeMarkers: ["django.request:WARNING"] };

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

function source(queryRowLimit = 10_000): CloudWatchSource {
  return new CloudWatchSource({ client, logGroupNames: [GROUP], filter: FILTER, queryRowLimit, poll: { timeoutMs: 10_000, initialPollMs: 1, maxPollMs: 5 } });
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
    expect(() => validateLineFilter({ ...FILTER, excludePaths: ["/x/"] })).not.toThrow();
  });
});
