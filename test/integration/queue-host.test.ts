import type { InvocationContext } from "@azure/functions";
import { QueueServiceClient, type QueueClient } from "@azure/storage-queue";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { drainQueue, type QueueHostOptions, type QueueInvocationEvent } from "../helpers/queue-host.js";
import { uniqueName } from "../helpers/storage.js";

const connectionString = inject("azuriteConnectionString");
const queueUrl = inject("azuriteQueueUrl");
const service = QueueServiceClient.fromConnectionString(connectionString);

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

async function sendJson(queue: QueueClient, value: unknown): Promise<void> {
  await queue.sendMessage(base64(JSON.stringify(value)));
}

async function peekAll(queue: QueueClient): Promise<string[]> {
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((item) => item.messageText);
}

async function messageCount(queue: QueueClient): Promise<number> {
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

describe("drainQueue (local Functions queue-trigger emulation)", () => {
  let queueName: string;
  let queue: QueueClient;
  let events: QueueInvocationEvent[];
  let logs: { level: string; args: unknown[] }[];
  let options: QueueHostOptions;

  beforeEach(async () => {
    queueName = uniqueName("qhost");
    queue = service.getQueueClient(queueName);
    await queue.create();
    events = [];
    logs = [];
    options = {
      queueUrl,
      connectionString,
      queueName,
      functionName: "exportPart",
      maxDequeueCount: 3,
      onInvocation: (event) => events.push(event),
      log: (level, ...args) => logs.push({ level, args }),
    };
  });

  it("passes JSON payloads as objects, exposes trigger metadata and deletes messages on success", async () => {
    await sendJson(queue, { part: 1, window: "2026-02-04T14:00:00Z" });
    await sendJson(queue, { part: 2, window: "2026-02-04T14:00:00Z" });
    const seen: { message: unknown; context: InvocationContext }[] = [];

    const result = await drainQueue(async (message, context) => {
      context.log("handling", message);
      seen.push({ message, context });
    }, options);

    expect(result).toEqual({ succeeded: 2, failed: 0, poisoned: 0 });
    expect(seen.map((s) => s.message)).toEqual(
      expect.arrayContaining([
        { part: 1, window: "2026-02-04T14:00:00Z" },
        { part: 2, window: "2026-02-04T14:00:00Z" },
      ]),
    );
    const first = seen[0];
    expect(first?.context.functionName).toBe("exportPart");
    expect(first?.context.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first?.context.triggerMetadata).toMatchObject({
      id: expect.any(String),
      dequeueCount: 1,
      popReceipt: expect.any(String),
      insertionTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expirationTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      nextVisibleTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(logs.filter((l) => l.level === "information" && l.args[0] === "handling")).toHaveLength(2);
    expect(await messageCount(queue)).toBe(0);
    expect(await service.getQueueClient(`${queueName}-poison`).exists()).toBe(false);
  });

  it("retries a failing message with increasing dequeueCount until it succeeds", async () => {
    await sendJson(queue, { part: 7 });
    const dequeueCounts: unknown[] = [];

    const result = await drainQueue(async (_message, context) => {
      dequeueCounts.push(context.triggerMetadata?.dequeueCount);
      if (dequeueCounts.length < 3) throw new Error(`transient failure ${dequeueCounts.length}`);
    }, options);

    expect(dequeueCounts).toEqual([1, 2, 3]);
    expect(result).toEqual({ succeeded: 1, failed: 2, poisoned: 0 });
    expect(events.map((e) => [e.dequeueCount, e.outcome])).toEqual([
      [1, "failed"],
      [2, "failed"],
      [3, "succeeded"],
    ]);
    expect(await messageCount(queue)).toBe(0);
  });

  it("moves a message that always fails to <queue>-poison after maxDequeueCount, with the original payload", async () => {
    const original = base64(JSON.stringify({ part: 9, note: "always fails" }));
    await queue.sendMessage(original);
    let invocations = 0;

    const result = await drainQueue(async () => {
      invocations += 1;
      throw new Error("permanent failure");
    }, options);

    expect(invocations).toBe(3);
    expect(result).toEqual({ succeeded: 0, failed: 2, poisoned: 1 });
    expect(events.at(-1)).toMatchObject({ dequeueCount: 3, outcome: "poisoned" });
    expect(errorMessageOf(events.at(-1)?.error)).toBe("permanent failure");
    expect(await messageCount(queue)).toBe(0);
    const poison = service.getQueueClient(`${queueName}-poison`);
    expect(await peekAll(poison)).toEqual([original]);
    expect(logs.some((l) => l.level === "warning" && String(l.args[0]).includes("MaxDequeueCount of 3"))).toBe(true);
  });

  it("passes a non-JSON message as a string", async () => {
    await queue.sendMessage(base64("plain text, not JSON"));
    const messages: unknown[] = [];

    await drainQueue(async (message) => {
      messages.push(message);
    }, options);

    expect(messages).toEqual(["plain text, not JSON"]);
  });

  it("poisons a message that is not valid base64 without invoking the handler", async () => {
    await queue.sendMessage('{"not":"base64"}');
    let invocations = 0;

    const poisonQueueName = uniqueName("custom-poison");
    const result = await drainQueue(
      async () => {
        invocations += 1;
      },
      { ...options, poisonQueueName },
    );

    expect(invocations).toBe(0);
    expect(result).toEqual({ succeeded: 0, failed: 0, poisoned: 1 });
    expect(await messageCount(queue)).toBe(0);
    expect(await peekAll(service.getQueueClient(poisonQueueName))).toEqual(['{"not":"base64"}']);
  });

  it("poisons, without invoking, a message already dequeued more than maxDequeueCount times", async () => {
    await sendJson(queue, { part: 3 });
    // Simulate earlier consumers that crashed: dequeue it three times without deleting it.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const [received] = (await queue.receiveMessages({ visibilityTimeout: 30 })).receivedMessageItems;
      if (!received) throw new Error("expected a message");
      await queue.updateMessage(received.messageId, received.popReceipt, undefined, 0);
    }
    let invocations = 0;

    const result = await drainQueue(
      async () => {
        invocations += 1;
      },
      { ...options, maxDequeueCount: 2 },
    );

    expect(invocations).toBe(0);
    expect(result).toEqual({ succeeded: 0, failed: 0, poisoned: 1 });
    expect(events).toMatchObject([{ dequeueCount: 4, outcome: "poisoned" }]);
    expect(await peekAll(service.getQueueClient(`${queueName}-poison`))).toHaveLength(1);
  });

  it("keeps a message invisible while a slow handler runs (lease renewal) and deletes it with the renewed popReceipt", async () => {
    await sendJson(queue, { part: "slow" });
    let invocations = 0;
    const visibleAfterRenewal: number[] = [];
    const extended: boolean[] = [];
    // The handler runs through three renewals (each one event, whatever the machine's speed): past the
    // first lease of 1 s, so without renewals the message would be delivered again.
    let renewed: () => void = () => undefined;
    const onRenewal = (_id: string, nextVisibleOn: Date): void => {
      extended.push(nextVisibleOn.getTime() > Date.now());
      renewed();
    };

    const result = await drainQueue(
      async () => {
        invocations += 1;
        for (let check = 0; check < 3; check += 1) {
          await new Promise<void>((resolve) => (renewed = resolve));
          // Another consumer must not get the message while its lease is renewed.
          visibleAfterRenewal.push((await queue.peekMessages()).peekedMessageItems.length);
        }
      },
      { ...options, visibilityTimeoutSeconds: 1, batchSize: 2, onRenewal },
    );

    expect(invocations).toBe(1);
    expect(visibleAfterRenewal).toEqual([0, 0, 0]);
    expect(extended.slice(0, 3)).toEqual([true, true, true]);
    expect(result).toEqual({ succeeded: 1, failed: 0, poisoned: 0 });
    expect(logs.filter((l) => l.level === "warning")).toEqual([]);
    expect(await messageCount(queue)).toBe(0);
  });

  it("stops on abort and rejects with the abort reason", async () => {
    await sendJson(queue, { part: 1 });
    await sendJson(queue, { part: 2 });
    const controller = new AbortController();
    let invocations = 0;

    await expect(
      drainQueue(
        async () => {
          invocations += 1;
          controller.abort(new Error("stop now"));
        },
        { ...options, signal: controller.signal },
      ),
    ).rejects.toThrow("stop now");
    expect(invocations).toBe(1);
    expect(await messageCount(queue)).toBe(1);
  });

  it("runs up to batchSize handlers concurrently", async () => {
    for (let part = 0; part < 6; part += 1) await sendJson(queue, { part });
    let running = 0;
    let maxRunning = 0;

    const result = await drainQueue(
      async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 50));
        running -= 1;
      },
      { ...options, batchSize: 3 },
    );

    expect(result.succeeded).toBe(6);
    expect(maxRunning).toBe(3);
    expect(await messageCount(queue)).toBe(0);
  });
});

function errorMessageOf(error: unknown): string | undefined {
  return error instanceof Error ? error.message : undefined;
}
