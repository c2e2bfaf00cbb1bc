import { createReadStream } from "node:fs";
import type { StoredObject } from "../shared/core/ports.js";
import type { FileTarget } from "../shared/wiring/aws.js";
import { CliError } from "./errors.js";
import type { CommandIO } from "./io.js";

export interface UploadFileOptions {
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Streams a local file of `sizeBytes` to a target; the object appears only when the whole upload succeeded and
 * every byte of the file was read (a file that changed under the upload is never published).
 */
export async function uploadFile(file: string, sizeBytes: number, target: FileTarget, options: UploadFileOptions, io: CommandIO): Promise<StoredObject> {
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
        if (read !== sizeBytes) throw new CliError(`read ${read} bytes but ${file} has ${sizeBytes}: it changed during the upload; nothing was uploaded`, 1);
      },
    })
    .catch((error: unknown) => {
      if (io.signal?.aborted === true) throw new CliError("interrupted: nothing was uploaded", 130);
      throw error;
    });
}
