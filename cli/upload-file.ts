import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { StoredObject } from "../shared/core/ports.js";
import type { BlockSource } from "../shared/sinks/blob/block-upload.js";
import type { FileTarget } from "../shared/wiring/aws.js";
import { CliError } from "./errors.js";
import type { CommandIO } from "./io.js";

export interface UploadFileOptions {
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface UploadedFile extends StoredObject {
  /** Blob only: blocks an earlier, failed upload of the same bytes had staged, not sent again. */
  readonly reusedBlocks?: number;
  readonly blocks?: number;
}

function changed(file: string): CliError {
  return new CliError(`${file} changed during the upload; nothing was uploaded`, 1);
}

function interrupted(io: CommandIO): (error: unknown) => never {
  return (error) => {
    if (io.signal?.aborted === true) throw new CliError("interrupted: nothing was uploaded", 130);
    throw error;
  };
}

/**
 * Uploads a local file of `sizeBytes`; the object appears only when the whole upload succeeded and the file did not
 * change under it. To Blob Storage it goes as staged blocks a rerun after a failure reuses (only the missing ones
 * are sent); to S3 as lib-storage's multipart upload, aborted on failure, so a rerun starts over.
 */
export async function uploadFile(file: string, sizeBytes: number, target: FileTarget, options: UploadFileOptions, io: CommandIO): Promise<UploadedFile> {
  if (target.uploadInBlocks !== undefined) {
    const before = await stat(file);
    const handle = await open(file, "r");
    const source: BlockSource = {
      sizeBytes,
      read: async (offset, length) => {
        const data = Buffer.alloc(length);
        const { bytesRead } = await handle.read(data, 0, length, offset);
        if (bytesRead !== length) throw changed(file);
        return data;
      },
    };
    const beforeCommit = async (): Promise<void> => {
      const after = await stat(file);
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) throw changed(file);
    };
    return target.uploadInBlocks(source, { ...options, abortSignal: io.signal, beforeCommit }).catch(interrupted(io)).finally(() => handle.close());
  }
  let read = 0;
  async function* counted(): AsyncIterable<Uint8Array> {
    for await (const chunk of createReadStream(file, { signal: io.signal }) as AsyncIterable<Buffer>) {
      read += chunk.length;
      yield chunk;
    }
  }
  return target.store
    .writeObject(target.name, counted(), {
      ...options,
      beforeCommit: () => {
        if (read !== sizeBytes) throw changed(file);
      },
    })
    .catch(interrupted(io));
}
