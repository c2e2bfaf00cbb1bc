import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { StoredObject } from "../shared/core/ports.js";
import { UnfinishedUploadError, type PartSource, type PartUploadProgress, type UploadJournal } from "../shared/sinks/s3/resumable-upload.js";
import type { FileTarget } from "../shared/wiring/aws.js";
import { CliError } from "./errors.js";
import type { CommandIO } from "./io.js";
import { ProgressBar } from "./progress.js";
import { formatBytes } from "./table.js";

export interface UploadFileOptions {
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** S3 only: resume a failed run's multipart upload from this journal (`logexport upload`); without it a failure aborts the upload. */
  readonly resume?: { readonly journal: UploadJournal; readonly restart: boolean };
}

export interface UploadedFile extends StoredObject {
  /** Blocks (Blob) or parts (S3) an earlier, failed upload of the same bytes had sent, not sent again. */
  readonly reused?: number;
  readonly pieces?: number;
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

/** How to go on after a failed or interrupted resumable upload, with how far it got. */
async function resumeHint(target: FileTarget, journal: UploadJournal): Promise<string> {
  const state = await journal.load().catch(() => undefined);
  if (state === undefined) return `nothing is visible at ${target.shown}`;
  const parts = Math.ceil(state.sourceSizeBytes / state.partSizeBytes);
  return `nothing is visible at ${target.shown} yet; ${state.parts.length} of ${parts} parts are uploaded: re-run the same command to resume, or add --restart to abort the unfinished upload and start over`;
}

/** Each part on a TTY; elsewhere a timed line every tenth of the parts, so a log file stays short. */
function partProgress(io: CommandIO, sizeBytes: number): (progress: PartUploadProgress) => void {
  let bar: ProgressBar | undefined;
  return ({ partsDone, parts, bytesDone }) => {
    bar ??= new ProgressBar(io.stderr, parts, "parts");
    const force = partsDone === parts || partsDone % Math.max(1, Math.ceil(parts / 10)) === 0;
    bar.update(partsDone, `${formatBytes(bytesDone)} of ${formatBytes(sizeBytes)}`, force);
    if (partsDone === parts) bar.finish();
  };
}

async function openSource(file: string, sizeBytes: number): Promise<{ source: PartSource; beforeCommit: () => Promise<void>; close: () => Promise<void> }> {
  const before = await stat(file);
  const handle = await open(file, "r");
  return {
    source: {
      sizeBytes,
      modifiedMs: before.mtimeMs,
      read: async (offset, length) => {
        const data = Buffer.alloc(length);
        const { bytesRead } = await handle.read(data, 0, length, offset);
        if (bytesRead !== length) throw changed(file);
        return data;
      },
    },
    beforeCommit: async () => {
      const after = await stat(file);
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) throw changed(file);
    },
    close: () => handle.close(),
  };
}

/**
 * Uploads a local file of `sizeBytes`; the object appears only when the whole upload succeeded and the file did not
 * change under it. To Blob Storage it goes as staged blocks a rerun after a failure reuses (only the missing ones
 * are sent). To S3 with `resume`, as a multipart upload whose parts a journal records, so a rerun sends only the
 * missing ones; without it, as lib-storage's multipart upload, aborted on failure, so a rerun starts over.
 */
export async function uploadFile(file: string, sizeBytes: number, target: FileTarget, options: UploadFileOptions, io: CommandIO): Promise<UploadedFile> {
  const { resume, ...writeOptions } = options;
  if (target.uploadInBlocks !== undefined) {
    const { source, beforeCommit, close } = await openSource(file, sizeBytes);
    return target
      .uploadInBlocks(source, { ...writeOptions, abortSignal: io.signal, beforeCommit })
      .then((stored) => ({ ...stored, reused: stored.reusedBlocks, pieces: stored.blocks }))
      .catch(interrupted(io))
      .finally(close);
  }
  if (resume !== undefined && target.uploadResumable !== undefined) {
    const { source, beforeCommit, close } = await openSource(file, sizeBytes);
    const onNotice = (line: string): void => void io.stderr.write(`${line}\n`);
    try {
      const stored = await target.uploadResumable(source, resume.journal, {
        ...writeOptions,
        restart: resume.restart,
        abortSignal: io.signal,
        beforeCommit,
        onNotice,
        onProgress: partProgress(io, sizeBytes),
      });
      return { ...stored, reused: stored.reusedParts, pieces: stored.parts };
    } catch (error) {
      if (io.signal?.aborted === true) throw new CliError(`interrupted: ${await resumeHint(target, resume.journal)}`, 130);
      if (error instanceof UnfinishedUploadError) throw new CliError(`${error.message}; ${await resumeHint(target, resume.journal)}`, 1);
      throw error;
    } finally {
      await close();
    }
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
      ...writeOptions,
      beforeCommit: () => {
        if (read !== sizeBytes) throw changed(file);
      },
    })
    .catch(interrupted(io));
}
