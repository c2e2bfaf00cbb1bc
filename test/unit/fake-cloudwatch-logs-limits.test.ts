import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand, StopQueryCommand } from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import { HOUR_MS } from "../../shared/core/time.js";
import { fakeClientConfig, startFakeCloudWatchLogs, type FakeCloudWatchLogs, type FakeInsightsLimitsOptions } from "../helpers/fake-cloudwatch-logs.js";
import { insightsLatencyMs, type InsightsLatencyModel } from "../helpers/insights-limits.js";
import { pulpHourStream } from "../helpers/pulp-log-stream.js";
import { ManualTimers } from "../helpers/service-limits.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const SMALL = "/app/small";
const LARGE = "/app/large";
/** Ten minutes a query: none ends while a test looks unless it moves the clock. */
const SLOW: InsightsLatencyModel = { baseMs: 600_000, scanBytesPerMs: 1e12, returnRowsPerMs: 1e12 };

async function withFake(limits: FakeInsightsLimitsOptions, run: (fake: FakeCloudWatchLogs) => Promise<void>): Promise<void> {
  const fake = await startFakeCloudWatchLogs({
    groups: [
      pulpHourStream({ hourStartMs: HOUR, eventsInHour: 2_000, logGroupName: SMALL }),
      pulpHourStream({ hourStartMs: HOUR, eventsInHour: 8_000, logGroupName: LARGE }),
    ],
    limits,
  });
  try {
    await run(fake);
  } finally {
    await fake.close();
  }
}

/** A real SDK client signing as `accessKeyId`, one attempt per call (the SDK's retries would hide the refusals). */
function client(fake: FakeCloudWatchLogs, accessKeyId = "AKIDALPHA"): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ ...fakeClientConfig(fake, 1), credentials: { accessKeyId, secretAccessKey: "not-a-secret" } });
}

function start(logs: CloudWatchLogsClient, group = SMALL): Promise<string> {
  const command = new StartQueryCommand({
    logGroupNames: [group],
    queryString: "fields @timestamp, @message",
    startTime: HOUR / 1000,
    endTime: (HOUR + HOUR_MS) / 1000,
    limit: 10_000,
  });
  return logs.send(command).then((out) => out.queryId ?? "");
}

async function refusal(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { name: string; $metadata?: { httpStatusCode?: number } },
  );
  if (error === undefined) throw new Error("expected a refusal");
  return { name: error.name, status: error.$metadata?.httpStatusCode };
}

describe("the fake CloudWatch Logs' Insights limits (opt-in)", () => {
  it("refuses an identity's (limit+1)th concurrent query with LimitExceededException while another identity still starts one", async () => {
    const timers = new ManualTimers(HOUR + 2 * HOUR_MS);
    await withFake({ timers, latency: SLOW, queries: { concurrentQueries: 3 } }, async (fake) => {
      const alpha = client(fake);
      for (let i = 0; i < 3; i += 1) await start(alpha);
      expect(fake.insightsIdentity("AKIDALPHA")?.runningQueries).toBe(3);
      expect(await refusal(start(alpha))).toEqual({ name: "LimitExceededException", status: 400 });
      expect(fake.insightsIdentity("AKIDALPHA")?.limitExceeded).toBe(1);

      const beta = client(fake, "AKIDBETA");
      expect(await start(beta)).not.toBe("");
      expect(fake.insightsIdentity("AKIDBETA")?.runningQueries).toBe(1);

      // A slot frees when a query is stopped, and when one ends on its own.
      timers.advance(1_000);
      const stopped = await start(beta);
      await beta.send(new StopQueryCommand({ queryId: stopped }));
      timers.advance(SLOW.baseMs);
      expect(fake.insightsIdentity("AKIDALPHA")?.runningQueries).toBe(0);
      expect(await start(alpha)).not.toBe("");
    });
  });

  it("refuses the 6th StartQuery and GetQueryResults of an identity within a second with ThrottlingException (HTTP 400), and recovers after the window", async () => {
    const timers = new ManualTimers(HOUR + 2 * HOUR_MS);
    await withFake({ timers }, async (fake) => {
      const alpha = client(fake);
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push(await start(alpha));
      expect(await refusal(start(alpha))).toEqual({ name: "ThrottlingException", status: 400 });
      // Another identity has its own rate.
      expect(await start(client(fake, "AKIDBETA"))).not.toBe("");
      const poll = (): Promise<unknown> => alpha.send(new GetQueryResultsCommand({ queryId: ids[0] }));
      for (let i = 0; i < 5; i += 1) await poll();
      expect(await refusal(poll())).toEqual({ name: "ThrottlingException", status: 400 });
      expect(fake.insightsIdentity("AKIDALPHA")?.throttled).toEqual({ StartQuery: 1, GetQueryResults: 1 });

      timers.advance(999);
      expect(await refusal(start(alpha))).toMatchObject({ name: "ThrottlingException" });
      timers.advance(1);
      expect(await start(alpha)).not.toBe("");
      await poll();
      expect(fake.calls.filter((c) => c.error === "ThrottlingException").map((c) => c.identity)).toEqual(["AKIDALPHA", "AKIDALPHA", "AKIDALPHA"]);
    });
  });

  it("keeps a query Running for base + bytes scanned / scan rate + rows returned / return rate, longer for a larger log group", async () => {
    const model: InsightsLatencyModel = { baseMs: 1_000, scanBytesPerMs: 1_000, returnRowsPerMs: 2 };
    const timers = new ManualTimers(HOUR + 2 * HOUR_MS);
    await withFake({ timers, latency: model, queries: { requestsPerWindow: { StartQuery: 100, GetQueryResults: 100 } } }, async (fake) => {
      const logs = client(fake);
      const runningFor = async (group: string): Promise<number> => {
        const queryId = await start(logs, group);
        timers.advance(model.baseMs);
        const running = await logs.send(new GetQueryResultsCommand({ queryId }));
        expect(running.status).toBe("Running");
        // The model's time from what the query reports once done; only then can the test know it.
        timers.advance(HOUR_MS);
        const done = await logs.send(new GetQueryResultsCommand({ queryId }));
        expect(done.status).toBe("Complete");
        const expectedMs = insightsLatencyMs(model, done.statistics?.bytesScanned ?? 0, done.results?.length ?? 0);
        // Replay the same query and look at the edge: Running a millisecond before, Complete at it.
        const again = await start(logs, group);
        timers.advance(Math.ceil(expectedMs) - 1);
        expect((await logs.send(new GetQueryResultsCommand({ queryId: again }))).status).toBe("Running");
        timers.advance(1);
        expect((await logs.send(new GetQueryResultsCommand({ queryId: again }))).status).toBe("Complete");
        return expectedMs;
      };
      const small = await runningFor(SMALL);
      const large = await runningFor(LARGE);
      expect(small).toBeGreaterThan(model.baseMs);
      expect(large).toBeGreaterThan(small * 2);
    });
  });

  it("has no per-identity limits unless asked", async () => {
    const fake = await startFakeCloudWatchLogs({ groups: [pulpHourStream({ hourStartMs: HOUR, eventsInHour: 100, logGroupName: SMALL })] });
    try {
      const alpha = client(fake);
      for (let i = 0; i < 10; i += 1) await start(alpha);
      expect(fake.insightsIdentity("AKIDALPHA")).toBeUndefined();
      expect(fake.calls.every((c) => c.status === 200 && c.identity === "AKIDALPHA")).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
