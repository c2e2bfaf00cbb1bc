/**
 * A small emulation of the Azure Functions host's Storage-queue trigger, for
 * the local demo and integration tests: it runs our real queue-trigger handler
 * (imported and called directly, no host process) against a real (Azurite)
 * queue, with the host's decoding, retry and poison-queue behaviour.
 *
 * Modelled on Functions host v4 with the Storage Queues extension 5.x and
 * @azure/functions 4.x; only what our handlers can observe is emulated.
 * Not emulated: output bindings (context.extraOutputs is not delivered; read it
 * from the `context` in `onInvocation`), host.json `visibilityTimeout` retry
 * delays (always 0, the host's default), function timeouts and scale-out.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
// @azure/functions is CommonJS; Node's ESM loader exposes InvocationContext only on the default export.
import azureFunctions, { type InvocationContext, type LogLevel, type TriggerMetadata } from "@azure/functions";

const { InvocationContext: Context } = azureFunctions;
import { QueueServiceClient, RestError, type DequeuedMessageItem } from "@azure/storage-queue";

export type QueueHandler = (message: unknown, context: InvocationContext) => Promise<void>;

/** Receives the handler's context.log/info/warn/error/... calls and the host's own messages. */
export type QueueHostLog = (level: LogLevel, ...args: unknown[]) => void;

export interface QueueInvocationEvent {
  messageId: string;
  dequeueCount: number;
  outcome: "succeeded" | "failed" | "poisoned";
  error?: unknown;
  /** The context the handler ran with; absent when the message was poisoned without an invocation. */
  context?: InvocationContext;
}

export interface QueueHostOptions {
  /** Queue service account URL; informational (used in messages). Clients are built from `connectionString`. */
  queueUrl: string;
  connectionString: string;
  queueName: string;
  /** Default `${queueName}-poison` (the host's convention). */
  poisonQueueName?: string;
  functionName: string;
  /** host.json `extensions.queues.maxDequeueCount` (host default 5). */
  maxDequeueCount: number;
  /** How long a received message stays invisible while its handler runs; renewed at half-time. Default 30. */
  visibilityTimeoutSeconds?: number;
  /** Maximum concurrent handler invocations (host.json `batchSize`; the host's default is 16). Default 1. */
  batchSize?: number;
  onInvocation?: (event: QueueInvocationEvent) => void;
  /** After each lease renewal of a message, with the new end of its invisibility. */
  onRenewal?: (messageId: string, nextVisibleOn: Date) => void;
  /** Where context logs and host messages go. Default: console, prefixed with the function name. */
  log?: QueueHostLog;
  /** Delay between polls while the queue still holds messages that are not visible yet. Default 100 ms. */
  pollIntervalMs?: number;
  /** Stops receiving; in-flight invocations are awaited, then drainQueue rejects with the abort reason. */
  signal?: AbortSignal;
}

export interface DrainResult {
  /** Invocations that returned normally (message deleted). */
  succeeded: number;
  /** Invocations that threw and whose message was made visible again for a retry. */
  failed: number;
  /** Messages moved to the poison queue (after a final failed invocation, or without invocation). */
  poisoned: number;
}

const MAX_MESSAGES_PER_RECEIVE = 32; // Queue service limit for Get Messages.

function consoleLog(functionName: string): QueueHostLog {
  const prefix = `[${functionName}]`;
  return (level, ...args) => {
    switch (level) {
      case "none":
        return;
      case "trace":
      case "debug":
        console.debug(prefix, ...args);
        return;
      case "information":
        console.info(prefix, ...args);
        return;
      case "warning":
        console.warn(prefix, ...args);
        return;
      case "error":
      case "critical":
        console.error(prefix, ...args);
        return;
    }
  };
}

/** Strict base64 check: Node's decoder silently skips invalid characters, .NET's (the host's) rejects them. */
function decodeBase64Strict(text: string): string | undefined {
  const compact = text.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, "base64").toString("utf8");
}

/** @azure/functions' `fromRpcTypedData`: a string input is JSON-parsed when it parses, else passed as is. */
function tryJsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** @azure/functions' `toCamelCaseValue`, which it applies to trigger metadata values (first letter of keys lowercased). */
function toCamelCaseValue(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(toCamelCaseValue);
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    result[key.charAt(0).toLowerCase() + key.slice(1)] = toCamelCaseValue(entry);
  }
  return result;
}

function isNotFound(error: unknown): boolean {
  return error instanceof RestError && error.statusCode === 404;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

export async function drainQueue(handler: QueueHandler, options: QueueHostOptions): Promise<DrainResult> {
  const { queueUrl, connectionString, queueName, poisonQueueName = `${queueName}-poison`, functionName, onInvocation, signal } = options;
  const maxDequeueCount = positiveInteger("maxDequeueCount", options.maxDequeueCount);
  const batchSize = positiveInteger("batchSize", options.batchSize ?? 1);
  const visibilityTimeout = positiveInteger("visibilityTimeoutSeconds", options.visibilityTimeoutSeconds ?? 30);
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const log = options.log ?? consoleLog(functionName);

  const service = QueueServiceClient.fromConnectionString(connectionString);
  const queue = service.getQueueClient(queueName);
  const poisonQueue = service.getQueueClient(poisonQueueName);
  const result: DrainResult = { succeeded: 0, failed: 0, poisoned: 0 };

  let poisonQueueReady: Promise<unknown> | undefined;
  // The host creates the poison queue on first use.
  const ensurePoisonQueue = (): Promise<unknown> => (poisonQueueReady ??= poisonQueue.createIfNotExists());

  const report = (event: QueueInvocationEvent): void => {
    result[event.outcome] += 1;
    onInvocation?.(event);
  };

  /** Holds a received message's lease; every update returns a new popReceipt, which later calls must use. */
  class Lease {
    readonly message: DequeuedMessageItem;
    popReceipt: string;
    nextVisibleOn: Date;
    #renewal: Promise<void> = Promise.resolve();
    #timer: NodeJS.Timeout | undefined;

    constructor(message: DequeuedMessageItem) {
      this.message = message;
      this.popReceipt = message.popReceipt;
      this.nextVisibleOn = message.nextVisibleOn;
    }

    /** Like the host, keep the message invisible while the handler runs by renewing at half the visibility timeout. */
    startRenewing(): void {
      this.#timer = setInterval(
        () => {
          this.#renewal = this.#renewal.then(async () => {
            try {
              const updated = await queue.updateMessage(this.message.messageId, this.popReceipt, undefined, visibilityTimeout);
              if (updated.popReceipt) this.popReceipt = updated.popReceipt;
              if (updated.nextVisibleOn) this.nextVisibleOn = updated.nextVisibleOn;
              options.onRenewal?.(this.message.messageId, this.nextVisibleOn);
            } catch (error) {
              log("warning", `Could not renew the visibility of message ${this.message.messageId}: ${errorMessage(error)}`);
            }
          });
        },
        (visibilityTimeout * 1000) / 2,
      );
    }

    async stopRenewing(): Promise<void> {
      clearInterval(this.#timer);
      await this.#renewal;
    }

    /** Delete after success or after a poison copy; a lost lease (404) means the message will be redelivered, as on the host. */
    async delete(): Promise<void> {
      try {
        await queue.deleteMessage(this.message.messageId, this.popReceipt);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        log("warning", `Message ${this.message.messageId} was not deleted (lease lost, it will be delivered again).`);
      }
    }

    /** Failed but retries remain: make it visible again at once (host.json `visibilityTimeout` default 0). */
    async release(): Promise<void> {
      try {
        const updated = await queue.updateMessage(this.message.messageId, this.popReceipt, undefined, 0);
        if (updated.popReceipt) this.popReceipt = updated.popReceipt;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }

    /** Copy the original (still base64) text to the poison queue, then delete the original, like the host. */
    async poison(): Promise<void> {
      await ensurePoisonQueue();
      await poisonQueue.sendMessage(this.message.messageText);
      await this.delete();
    }
  }

  const processMessage = async (message: DequeuedMessageItem): Promise<void> => {
    const lease = new Lease(message);
    const { messageId, dequeueCount } = message;

    // The host poisons, without invoking, a message already dequeued more than maxDequeueCount times (e.g. after a crash).
    if (dequeueCount > maxDequeueCount) {
      log("warning", `Message has reached MaxDequeueCount of ${maxDequeueCount}. Moving message to queue '${poisonQueueName}'.`);
      await lease.poison();
      report({ messageId, dequeueCount, outcome: "poisoned", error: new Error(`dequeueCount ${dequeueCount} > maxDequeueCount ${maxDequeueCount}`) });
      return;
    }

    // The host's default `messageEncoding: base64`; an undecodable message goes straight to the poison queue, uninvoked.
    const text = decodeBase64Strict(message.messageText);
    if (text === undefined) {
      const error = new Error(`Message ${messageId} is not valid base64 (host.json messageEncoding is base64).`);
      log("error", `${error.message} Moving message to queue '${poisonQueueName}'.`);
      await lease.poison();
      report({ messageId, dequeueCount, outcome: "poisoned", error });
      return;
    }

    // The worker JSON-parses the trigger input when it parses (an object for JSON payloads), else passes the string.
    const payload = tryJsonParse(text);
    // Trigger metadata as @azure/functions exposes it for queue triggers: camelCased keys, dates as ISO strings.
    const triggerMetadata: TriggerMetadata = {
      id: messageId,
      dequeueCount,
      insertionTime: message.insertedOn.toISOString(),
      expirationTime: message.expiresOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      popReceipt: message.popReceipt,
      queueTrigger: toCamelCaseValue(payload),
    };
    const invocationId = randomUUID();
    // Context logs go to `log` (the host would send them to its logger / Application Insights).
    const context = new Context({
      invocationId,
      functionName,
      triggerMetadata,
      logHandler: (level, ...args) => log(level, ...args),
      options: { trigger: { type: "queueTrigger", name: "queueItem", queueName, connection: queueUrl } },
    });

    lease.startRenewing();
    let failure: { error: unknown } | undefined;
    try {
      await handler(payload, context);
    } catch (error) {
      failure = { error };
    } finally {
      await lease.stopRenewing();
    }

    if (!failure) {
      // Success: the host deletes the message.
      await lease.delete();
      report({ messageId, dequeueCount, outcome: "succeeded", context });
      return;
    }

    log("error", `Executed 'Functions.${functionName}' (Failed, Id=${invocationId}, dequeueCount=${dequeueCount})`, failure.error);
    if (dequeueCount >= maxDequeueCount) {
      // Last attempt failed: the host moves the message to `<queue>-poison`.
      log("warning", `Message has reached MaxDequeueCount of ${maxDequeueCount}. Moving message to queue '${poisonQueueName}'.`);
      await lease.poison();
      report({ messageId, dequeueCount, outcome: "poisoned", error: failure.error, context });
    } else {
      await lease.release();
      report({ messageId, dequeueCount, outcome: "failed", error: failure.error, context });
    }
  };

  const inFlight = new Set<Promise<void>>();
  // A storage failure (not a handler failure) aborts the drain; it is rethrown once in-flight invocations end.
  let fatal: { error: unknown } | undefined;
  const dispatch = (message: DequeuedMessageItem): void => {
    const running: Promise<void> = processMessage(message)
      .catch((error: unknown) => {
        fatal ??= { error };
      })
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };

  try {
    for (;;) {
      if (fatal) throw fatal.error;
      signal?.throwIfAborted();
      const room = batchSize - inFlight.size;
      if (room > 0) {
        // Receive up to `batchSize` messages in total, each invisible for `visibilityTimeout` seconds.
        const received = await queue.receiveMessages({
          numberOfMessages: Math.min(room, MAX_MESSAGES_PER_RECEIVE),
          visibilityTimeout,
          abortSignal: signal,
        });
        for (const message of received.receivedMessageItems) dispatch(message);
        if (received.receivedMessageItems.length > 0) continue;
      }
      if (inFlight.size > 0) {
        // Full, or nothing visible right now: wait for an invocation to finish (a retry makes its message visible).
        await Promise.race(inFlight);
        continue;
      }
      // Done when nothing was received, nothing runs and the queue holds no (invisible) message either.
      const properties = await queue.getProperties({ abortSignal: signal });
      if ((properties.approximateMessagesCount ?? 0) === 0) break;
      await sleep(pollIntervalMs, undefined, { signal });
    }
  } finally {
    await Promise.allSettled(inFlight);
  }
  return result;
}
