import { createHash } from "node:crypto";
import { RestError } from "@azure/core-rest-pipeline";
import type { BlockBlobClient } from "@azure/storage-blob";
import type { StoredObject } from "../../core/ports.js";
import { storageError } from "./store.js";

/** Bytes to upload, read by offset: a local file, so a rerun reads the same blocks. */
export interface BlockSource {
  readonly sizeBytes: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export interface BlockUploadOptions {
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly concurrency?: number;
  readonly abortSignal?: AbortSignal;
  /** Runs after every block is staged and before the commit; throwing leaves the blob as it was. */
  readonly beforeCommit?: () => void | Promise<void>;
}

export interface BlockUploadResult extends StoredObject {
  readonly blocks: number;
  /** Blocks an earlier, failed attempt had staged with the same bytes: not sent again. */
  readonly reusedBlocks: number;
}

const MIB = 1024 * 1024;
/** Azure's limit of committed blocks per blob. */
const MAX_BLOCKS = 50_000;

/** 4 MiB, or more for a file that would need over 50,000 blocks: a function of the size alone, so a rerun cuts the same blocks. */
export function blockSizeFor(sizeBytes: number): number {
  return Math.max(4, Math.ceil(sizeBytes / MAX_BLOCKS / MIB)) * MIB;
}

/** A block's id: its index and the hash of its bytes, so a staged block with this id holds exactly these bytes. */
export function blockIdFor(index: number, data: Buffer): string {
  return Buffer.from(`${String(index).padStart(5, "0")}-${createHash("sha256").update(data).digest("hex").slice(0, 48)}`).toString("base64");
}

async function stagedBlocks(blob: BlockBlobClient, abortSignal: AbortSignal | undefined): Promise<Map<string, number>> {
  try {
    const list = await blob.getBlockList("uncommitted", { abortSignal });
    return new Map((list.uncommittedBlocks ?? []).map((b) => [b.name, b.size]));
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return new Map();
    throw storageError(`listing the staged blocks of ${blob.name}`, error);
  }
}

/**
 * Uploads a source as staged blocks and commits the list once every block is there: until then readers see the
 * blob as it was (or nothing). Block ids derive from each block's index and bytes, so after a failure a rerun
 * stages only the blocks still missing (Azure keeps uncommitted blocks for a week) and the commit names the
 * blocks of this content alone.
 */
export async function uploadInBlocks(blob: BlockBlobClient, source: BlockSource, options: BlockUploadOptions): Promise<BlockUploadResult> {
  const { abortSignal } = options;
  const staged = await stagedBlocks(blob, abortSignal);
  const blockSize = blockSizeFor(source.sizeBytes);
  const hash = createHash("sha256");
  const ids: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { readonly error: unknown } | undefined;
  let reused = 0;
  try {
    for (let offset = 0, index = 0; offset < source.sizeBytes || index === 0; offset += blockSize, index += 1) {
      const data = await source.read(offset, Math.min(blockSize, source.sizeBytes - offset));
      hash.update(data);
      const id = blockIdFor(index, data);
      ids.push(id);
      if (staged.get(id) === data.length) {
        reused += 1;
        continue;
      }
      const upload = blob.stageBlock(id, data, data.length, { abortSignal }).then(
        () => undefined,
        (error: unknown) => {
          failure ??= { error };
        },
      );
      const tracked = upload.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= (options.concurrency ?? 2)) await Promise.race(inFlight);
      if (failure !== undefined) throw failure.error;
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
  } catch (error) {
    await Promise.allSettled(inFlight);
    throw error instanceof RestError ? storageError(`staging ${blob.name}`, error) : error;
  }
  await options.beforeCommit?.();
  try {
    await blob.commitBlockList(ids, { blobHTTPHeaders: { blobContentType: options.contentType }, metadata: { ...options.metadata }, abortSignal });
  } catch (error) {
    throw storageError(`committing ${blob.name}`, error);
  }
  return { name: blob.name, bytes: source.sizeBytes, sha256: hash.digest("hex"), blocks: ids.length, reusedBlocks: reused };
}
