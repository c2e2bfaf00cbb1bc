import { createHash, randomBytes } from "node:crypto";
import { RestError } from "@azure/core-rest-pipeline";
import type { ContainerClient } from "@azure/storage-blob";
import { StorageError } from "../../core/errors.js";
import type { StateStore, StoredObject, TextObject, WriteCondition, WriteObjectOptions } from "../../core/ports.js";

const RETRIABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

function statusOf(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

export function storageError(what: string, error: unknown): StorageError {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new StorageError(`${what} failed${status === undefined ? "" : ` (HTTP ${status})`}: ${message}`, {
    retriable: status === undefined ? !(error instanceof StorageError) : RETRIABLE_STATUS.has(status),
    cause: error,
  });
}

export interface BlobObjectStoreOptions {
  /** Bytes per staged block; memory is about blockSizeBytes × concurrency. */
  readonly blockSizeBytes?: number;
  readonly concurrency?: number;
}

/**
 * A Blob container as an ObjectStore. Objects are written as staged blocks
 * and become visible only at the final commit, after `beforeCommit` agreed.
 */
export class BlobObjectStore implements StateStore {
  readonly location: string;
  private readonly blockSizeBytes: number;
  private readonly concurrency: number;

  constructor(
    private readonly container: ContainerClient,
    options: BlobObjectStoreOptions = {},
  ) {
    const url = new URL(container.url);
    this.location = `${url.origin}${url.pathname}`;
    this.blockSizeBytes = options.blockSizeBytes ?? 4 * 1024 * 1024;
    this.concurrency = options.concurrency ?? 2;
  }

  async writeObject(name: string, body: AsyncIterable<Uint8Array>, options: WriteObjectOptions): Promise<StoredObject> {
    const blob = this.container.getBlockBlobClient(name);
    const hash = createHash("sha256");
    // A fresh id prefix per attempt: a concurrent writer of the same name cannot slip its blocks into our list.
    const attempt = randomBytes(6).toString("hex");
    const blockIds: string[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let bytes = 0;
    const stage = async (data: Buffer): Promise<void> => {
      const id = Buffer.from(`${attempt}-${String(blockIds.length).padStart(6, "0")}`).toString("base64");
      blockIds.push(id);
      const upload = blob.stageBlock(id, data, data.length).then(
        () => undefined,
        (error: unknown) => {
          failure ??= error;
        },
      );
      const tracked = upload.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= this.concurrency) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
    };
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of body) {
        hash.update(chunk);
        bytes += chunk.length;
        pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        pendingBytes += chunk.length;
        if (pendingBytes >= this.blockSizeBytes) {
          const data = Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          await stage(data);
        }
      }
      if (pendingBytes > 0 || blockIds.length === 0) await stage(Buffer.concat(pending, pendingBytes));
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
    } catch (error) {
      await Promise.allSettled(inFlight);
      throw error instanceof Error && !(error instanceof RestError) ? error : storageError(`staging ${name}`, error);
    }
    options.beforeCommit?.();
    try {
      await blob.commitBlockList(blockIds, { blobHTTPHeaders: { blobContentType: options.contentType }, metadata: { ...options.metadata } });
    } catch (error) {
      throw storageError(`committing ${name}`, error);
    }
    return { name, bytes, sha256: hash.digest("hex") };
  }

  async readText(name: string): Promise<TextObject | undefined> {
    try {
      const response = await this.container.getBlobClient(name).download();
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      return { text: Buffer.concat(chunks).toString("utf8"), etag: response.etag ?? "" };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw storageError(`reading ${name}`, error);
    }
  }

  async writeText(name: string, text: string, condition?: WriteCondition): Promise<string | undefined> {
    const body = Buffer.from(text, "utf8");
    try {
      const response = await this.container.getBlockBlobClient(name).upload(body, body.length, {
        blobHTTPHeaders: { blobContentType: name.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8" },
        conditions: condition === undefined ? undefined : "ifMatch" in condition ? { ifMatch: condition.ifMatch } : { ifNoneMatch: "*" },
      });
      return response.etag ?? "";
    } catch (error) {
      const status = statusOf(error);
      if (condition !== undefined && (status === 412 || status === 409)) return undefined;
      throw storageError(`writing ${name}`, error);
    }
  }

  async appendLine(name: string, line: string, header: string): Promise<void> {
    const blob = this.container.getAppendBlobClient(name);
    const first = Buffer.from(`${header}\n${line}\n`, "utf8");
    const later = Buffer.from(`${line}\n`, "utf8");
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        // Whoever writes first writes the header in the same block, so it is always line one.
        await blob.appendBlock(first, first.length, { conditions: { appendPosition: 0 } });
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status === 412) {
          try {
            await blob.appendBlock(later, later.length);
            return;
          } catch (laterError) {
            throw storageError(`appending to ${name}`, laterError);
          }
        }
        if (status !== 404) throw storageError(`appending to ${name}`, error);
        await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: "text/csv; charset=utf-8" } }).catch((createError: unknown) => {
          throw storageError(`creating ${name}`, createError);
        });
      }
    }
    throw new StorageError(`appending to ${name}: the append blob kept disappearing`, { retriable: true });
  }

  async *list(prefix: string): AsyncIterable<string> {
    try {
      for await (const item of this.container.listBlobsFlat({ prefix })) yield item.name;
    } catch (error) {
      // A container that does not exist yet holds nothing.
      if (statusOf(error) === 404) return;
      throw storageError(`listing ${prefix}`, error);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.container.deleteBlob(name, { deleteSnapshots: "include" });
    } catch (error) {
      if (statusOf(error) !== 404) throw storageError(`deleting ${name}`, error);
    }
  }
}
