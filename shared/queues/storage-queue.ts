import type { QueueClient } from "@azure/storage-queue";
import { StorageError } from "../core/errors.js";
import type { JobQueue, SendOptions } from "../core/ports.js";

function failure(what: string, queue: string, error: unknown): StorageError {
  return new StorageError(`${what} queue ${queue} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`, {
    retriable: true,
    cause: error,
  });
}

/** Sends base64 text, the encoding the Functions queue trigger expects by default (host.json messageEncoding). */
export class StorageJobQueue implements JobQueue {
  constructor(private readonly queue: QueueClient) {}

  async send(messageText: string, options: SendOptions = {}): Promise<void> {
    try {
      await this.queue.sendMessage(
        Buffer.from(messageText, "utf8").toString("base64"),
        options.delaySeconds === undefined ? {} : { visibilityTimeout: options.delaySeconds },
      );
    } catch (error) {
      throw failure("sending a message to", this.queue.name, error);
    }
  }

  async pending(): Promise<number> {
    try {
      return (await this.queue.getProperties()).approximateMessagesCount ?? 0;
    } catch (error) {
      throw failure("counting the messages of", this.queue.name, error);
    }
  }
}
