import type { QueueClient } from "@azure/storage-queue";
import { StorageError } from "../core/errors.js";
import type { JobQueue } from "../core/ports.js";

/** Sends base64 text, the encoding the Functions queue trigger expects by default (host.json messageEncoding). */
export class StorageJobQueue implements JobQueue {
  constructor(private readonly queue: QueueClient) {}

  async send(messageText: string): Promise<void> {
    try {
      await this.queue.sendMessage(Buffer.from(messageText, "utf8").toString("base64"));
    } catch (error) {
      throw new StorageError(`sending a message to queue ${this.queue.name} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`, { retriable: true, cause: error });
    }
  }
}
