/** The identity's query slots on real Blob leases (Azurite): one holder per slot across clients, released and expired leases free it. */
import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { systemClock } from "../../shared/core/time.js";
import { BlobLeaseStore } from "../../shared/sinks/blob/leases.js";
import { LeasedQuerySlots } from "../../shared/sources/query-slots.js";
import { queryError } from "../../shared/sources/log-analytics/errors.js";
import { uniqueName } from "../helpers/storage.js";

const connectionString = inject("azuriteConnectionString");
const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(uniqueName("slots"));

beforeAll(async () => {
  await container.create();
});

afterAll(async () => {
  await container.deleteIfExists();
});

describe("BlobLeaseStore", () => {
  it("creates the slot's blob on first use, refuses a second holder, and frees the slot on release", async () => {
    const a = new BlobLeaseStore(container);
    const b = new BlobLeaseStore(BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container.containerName));
    const first = await a.tryAcquire("query-slots/slot-0", 15);
    expect(first).toBeDefined();
    expect(await b.tryAcquire("query-slots/slot-0", 15)).toBeUndefined();
    await a.renew("query-slots/slot-0", first ?? "");
    await a.release("query-slots/slot-0", first ?? "");
    const second = await b.tryAcquire("query-slots/slot-0", 15);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    await b.release("query-slots/slot-0", second ?? "");
  });

  it("bounds queries of several clients to the slot count on real leases", async () => {
    const clients = [0, 1, 2].map(
      () =>
        new LeasedQuerySlots(new BlobLeaseStore(BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container.containerName)), {
          count: 2,
          clock: systemClock,
          prefix: "bound/slot-",
          minPollMs: 20,
          maxPollMs: 100,
        }),
    );
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        (clients[i % 3] as LeasedQuerySlots).run(
          "scheduled",
          async () => {
            running += 1;
            most = Math.max(most, running);
            await new Promise((resolve) => setImmediate(resolve));
            running -= 1;
          },
          undefined,
        ),
      ),
    );
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBeGreaterThan(0);
  });
});

describe("the Log Analytics source's errors", () => {
  it("carry the service's Retry-After from the SDK error's response headers", () => {
    const response = {
      status: 429,
      headers: createHttpHeaders({ "retry-after": "12" }),
      request: createPipelineRequest({ url: "https://api.loganalytics.io/v1/workspaces/w/query" }),
    };
    const error = new RestError("throttled", { statusCode: 429, response });
    const wrapped = queryError("histogram", error);
    expect(wrapped.retriable).toBe(true);
    expect(wrapped.retryAfterMs).toBe(12_000);
  });
});
