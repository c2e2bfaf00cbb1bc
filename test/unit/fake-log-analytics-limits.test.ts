import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { LogsQueryClient, LogsQueryResultStatus } from "@azure/monitor-query-logs";
import { describe, expect, it, vi } from "vitest";
import { HOUR_MS } from "../../shared/core/time.js";
import { histogramKql, partKql } from "../../shared/sources/log-analytics/kql.js";
import { startFakeLogAnalytics, type FakeLimitsOptions, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { IdentityLimiter, ManualTimers, Throttled } from "../helpers/service-limits.js";
import { benchTable } from "../helpers/synthetic-table.js";

const HOUR = Date.UTC(2026, 10, 23, 10);
const TABLE = "BenchLogs_CL";

async function withFake(limits: FakeLimitsOptions, rows: number, run: (fake: FakeLogAnalytics) => Promise<void>): Promise<void> {
  const fake = await startFakeLogAnalytics({ tables: [benchTable(HOUR, rows, TABLE)], limits });
  try {
    await run(fake);
  } finally {
    await fake.close();
  }
}

function histogram(fake: FakeLogAnalytics, identity = "Bearer a"): Promise<Response> {
  return fetch(`${fake.url}/v1/workspaces/${fake.workspaceId}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: identity },
    body: JSON.stringify({ query: histogramKql(TABLE, { startMs: HOUR, endMs: HOUR + HOUR_MS }, 60_000) }),
  });
}

function sdkClient(fake: FakeLogAnalytics): LogsQueryClient {
  const client = new LogsQueryClient(
    { getToken: async () => ({ token: "x", expiresOnTimestamp: Date.now() + 3600e3 }) },
    { endpoint: `${fake.url}/v1`, allowInsecureConnection: true },
  );
  client.pipeline.removePolicy({ name: "bearerTokenAuthenticationPolicy" });
  const auth: PipelinePolicy = {
    name: "fakeAuthorization",
    sendRequest: (request, next) => {
      request.headers.set("authorization", "Bearer x");
      return next(request);
    },
  };
  client.pipeline.addPolicy(auth);
  return client;
}

describe("the fake Log Analytics API's limits (opt-in)", () => {
  it("queues the 6th concurrent query of an identity and refuses it with 429 and Retry-After after 3 minutes", async () => {
    const timers = new ManualTimers(HOUR);
    // Each query runs 10 minutes of (manual) time: none finishes while the test looks.
    await withFake({ timers, latency: { baseMs: 600_000, scanBytesPerMs: 1e12, resultBytesPerMs: 1e12 } }, 600, async (fake) => {
      const running = Array.from({ length: 5 }, () => histogram(fake));
      await vi.waitFor(() => expect(fake.throttling("Bearer a")?.inFlight).toBe(5));
      const sixth = histogram(fake);
      await vi.waitFor(() => expect(fake.throttling("Bearer a")?.waiting).toBe(1));
      // Another identity has its own five.
      const other = histogram(fake, "Bearer b");
      await vi.waitFor(() => expect(fake.throttling("Bearer b")?.inFlight).toBe(1));

      timers.advance(179_999);
      expect(fake.throttling("Bearer a")?.waiting).toBe(1);
      timers.advance(1);
      const refused = await sixth;
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("ThrottledError");
      expect(fake.queries.filter((q) => q.throttled !== undefined).map((q) => q.throttled)).toEqual(["queue-timeout"]);

      timers.advance(600_000);
      for (const response of [...(await Promise.all(running)), await other]) expect(response.status).toBe(200);
      expect(fake.throttling("Bearer a")?.inFlight).toBe(0);
    });
  });

  it("starts a queued query when a running one finishes, within the 3 minutes", async () => {
    const timers = new ManualTimers(HOUR);
    await withFake({ timers, latency: { baseMs: 60_000, scanBytesPerMs: 1e12, resultBytesPerMs: 1e12 } }, 600, async (fake) => {
      const first = Array.from({ length: 5 }, () => histogram(fake));
      await vi.waitFor(() => expect(fake.throttling("Bearer a")?.inFlight).toBe(5));
      const sixth = histogram(fake);
      await vi.waitFor(() => expect(fake.throttling("Bearer a")?.waiting).toBe(1));
      timers.advance(60_000);
      await Promise.all(first);
      await vi.waitFor(() => expect(fake.throttling("Bearer a")?.inFlight).toBe(1));
      timers.advance(60_000);
      expect((await sixth).status).toBe(200);
      expect(fake.queries.at(-1)?.waitedMs).toBe(60_000);
    });
  });

  it("refuses the 201st request of an identity within 30 s, with the seconds until a slot frees as Retry-After", async () => {
    const timers = new ManualTimers(HOUR);
    await withFake({ timers }, 60, async (fake) => {
      for (let i = 0; i < 200; i += 1) {
        const response = await histogram(fake);
        expect(response.status).toBe(200);
        await response.arrayBuffer();
        if (i === 0) timers.advance(10_000);
      }
      const refused = await histogram(fake);
      expect(refused.status).toBe(429);
      // The first request was 10 s before the others: its place frees 20 s from now.
      expect(refused.headers.get("retry-after")).toBe("20");
      expect(fake.queries.at(-1)?.throttled).toBe("rate");
      timers.advance(20_000);
      expect((await histogram(fake)).status).toBe(200);
      expect((await histogram(fake)).status).toBe(429);
    });
  });

  it("cuts a result at the row cap, and at the size cap, with the service's partial error", async () => {
    await withFake({ queries: { maxResultRows: 1_000 } }, 1_500, async (fake) => {
      const client = sdkClient(fake);
      const range = { startMs: HOUR, endMs: HOUR + HOUR_MS };
      const byRows = await client.queryWorkspace(fake.workspaceId, partKql(TABLE, range), {
        startTime: new Date(range.startMs),
        endTime: new Date(range.endMs),
      });
      expect(byRows.status).toBe(LogsQueryResultStatus.PartialFailure);
      if (byRows.status !== LogsQueryResultStatus.PartialFailure) return;
      // The SDK keeps the error's code and details, not the inner error that names the cap.
      expect(byRows.partialError.code).toBe("PartialError");
      expect(byRows.partialTables[0]?.rows).toHaveLength(1_000);
      expect(fake.queries.at(-1)?.truncated).toBe("rows");
    });
    await withFake({ queries: { maxResultBytes: 100_000 } }, 1_500, async (fake) => {
      const client = sdkClient(fake);
      const range = { startMs: HOUR, endMs: HOUR + HOUR_MS };
      const bySize = await client.queryWorkspace(fake.workspaceId, partKql(TABLE, range), {
        startTime: new Date(range.startMs),
        endTime: new Date(range.endMs),
      });
      expect(bySize.status).toBe(LogsQueryResultStatus.PartialFailure);
      if (bySize.status !== LogsQueryResultStatus.PartialFailure) return;
      expect(bySize.partialError.code).toBe("PartialError");
      const rows = bySize.partialTables[0]?.rows.length ?? 0;
      expect(rows).toBeGreaterThan(0);
      expect(rows).toBeLessThan(1_500);
      expect(fake.queries.at(-1)?.truncated).toBe("bytes");
    });
  });

  it("has no limits unless asked: 300 queries at once all answer 200", async () => {
    const fake = await startFakeLogAnalytics({ tables: [benchTable(HOUR, 60, TABLE)] });
    try {
      const responses = await Promise.all(Array.from({ length: 300 }, () => histogram(fake)));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(fake.throttling("Bearer a")).toBeUndefined();
    } finally {
      await fake.close();
    }
  });
});

describe("IdentityLimiter", () => {
  it("refuses with queue-full once 200 wait, and counts each refusal", async () => {
    const limiter = new IdentityLimiter(undefined, new ManualTimers());
    const admitted = await Promise.all(Array.from({ length: 5 }, () => limiter.admit()));
    const waiting = Array.from({ length: 195 }, () => limiter.admit());
    expect(limiter.waiting).toBe(195);
    await expect(limiter.admit()).rejects.toBeInstanceOf(Throttled);
    expect(limiter.counts.throttled.rate).toBe(1);
    admitted.forEach((a) => a.release());
    await Promise.all(waiting.slice(0, 5));
    expect(limiter.inFlight).toBe(5);
  });
});
