import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { errorMessage, StorageError } from "../../core/errors.js";
import type { StoredObject } from "../../core/ports.js";
import { codeOf, s3StorageError } from "./errors.js";

/** A local file read by offset, with what identifies its version: a rerun resumes only the same version. */
export interface PartSource {
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export interface RecordedPart {
  readonly partNumber: number;
  readonly etag: string;
  /** SHA-256 of the part's bytes: a rerun re-reads the part and reuses it only when this still matches. */
  readonly sha256: string;
  readonly bytes: number;
  readonly checksumCRC32?: string;
}

/** What a rerun needs to finish an unfinished multipart upload without ListParts. */
export interface PartUploadState {
  readonly version: 1;
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly partSizeBytes: number;
  readonly sourceSizeBytes: number;
  readonly sourceModifiedMs: number;
  readonly parts: readonly RecordedPart[];
}

/** Where an unfinished upload's state is kept between runs (the CLI: a sidecar file beside the source). */
export interface UploadJournal {
  load(): Promise<PartUploadState | undefined>;
  save(state: PartUploadState): Promise<void>;
  clear(): Promise<void>;
}

export interface PartUploadProgress {
  readonly partsDone: number;
  readonly parts: number;
  readonly bytesDone: number;
}

export interface PartUploadOptions {
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly concurrency?: number;
  readonly abortSignal?: AbortSignal;
  /** Abort the unfinished upload the journal names and start over. */
  readonly restart?: boolean;
  /** Runs after every part is uploaded and before the completion; throwing leaves the upload unfinished (resumable). */
  readonly beforeCommit?: () => void | Promise<void>;
  readonly onProgress?: (progress: PartUploadProgress) => void;
  /** One line for the user: an unfinished upload aborted, and why. */
  readonly onNotice?: (line: string) => void;
}

export interface PartUploadResult extends StoredObject {
  readonly parts: number;
  /** Parts an earlier, failed run had uploaded with the same bytes: not sent again. */
  readonly reusedParts: number;
}

/** The upload failed but stays resumable: the journal holds the parts that made it. */
export class UnfinishedUploadError extends StorageError {
  constructor(message: string, cause: unknown) {
    super(message, { retriable: true, cause });
  }
}

const MIB = 1024 * 1024;
/** S3's limit of parts per upload. */
const MAX_PARTS = 10_000;

/** 5 MiB (S3's smallest part), or more for a file that would need over 10,000 parts: a function of the size alone. */
export function partSizeFor(sizeBytes: number): number {
  return Math.max(5, Math.ceil(sizeBytes / MAX_PARTS / MIB)) * MIB;
}

/** The upload is gone (aborted, expired, completed elsewhere): only starting over helps. */
function isUploadGone(error: unknown): boolean {
  return codeOf(error) === "NoSuchUpload" || (error instanceof StorageError && codeOf(error.cause) === "NoSuchUpload");
}

class StaleUpload extends Error {}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Uploads a local file to S3 so that a failed run can be resumed by running it again. lib-storage's Upload
 * cannot do this: it always creates a new upload id, aborts (or abandons) it on failure and has no way to
 * take parts already uploaded, so this drives Create/UploadPart/CompleteMultipartUpload itself. ListParts is
 * not needed (and some S3-compatible stores lack it): the journal records each completed part's number, ETag
 * and the hash of its bytes, and a rerun re-hashes each recorded part before it skips it. Nothing is visible
 * at the key until the completion. Files of at most one part are a single PutObject.
 */
export async function uploadResumable(
  client: S3Client,
  bucket: string,
  key: string,
  source: PartSource,
  journal: UploadJournal,
  options: PartUploadOptions,
): Promise<PartUploadResult> {
  const partSizeBytes = partSizeFor(source.sizeBytes);
  let state = await journal.load();
  const discard = async (reason: string): Promise<void> => {
    if (state === undefined) return;
    await abortUpload(client, state, options, `${reason}; starting over`);
    await journal.clear();
    state = undefined;
  };
  if (state !== undefined) {
    if (options.restart === true) await discard("--restart");
    else if (state.bucket !== bucket || state.key !== key) await discard(`it was for s3://${state.bucket}/${state.key}`);
    else if (state.sourceSizeBytes !== source.sizeBytes || state.sourceModifiedMs !== source.modifiedMs || state.partSizeBytes !== partSizeBytes) {
      await discard("the source file changed since");
    }
  }
  if (source.sizeBytes <= partSizeBytes) return putWhole(client, bucket, key, source, options);
  for (let attempt = 0; ; attempt += 1) {
    if (state === undefined) {
      const created = await createUpload(client, bucket, key, source, partSizeBytes, options);
      // An upload no journal names could never be resumed or aborted by a rerun: abort it now.
      await journal.save(created).catch(async (error: unknown) => {
        await abortUpload(client, created, options, "its state could not be saved");
        throw error;
      });
      state = created;
    }
    try {
      return await uploadParts(client, state, source, journal, options);
    } catch (error) {
      // A recorded part whose bytes changed, or an upload the store no longer knows: start over, once.
      const gone = error instanceof StaleUpload || isUploadGone(error);
      if (!gone || attempt > 0) throw await unfinished(error, journal);
      await discard(error instanceof StaleUpload ? error.message : "the store answers NoSuchUpload");
    }
  }
}

/** A store failure while the journal names an upload: resumable. Anything else (the source changed, a veto) goes up unchanged. */
async function unfinished(error: unknown, journal: UploadJournal): Promise<unknown> {
  if (!(error instanceof StorageError) || (await journal.load()) === undefined) return error;
  return new UnfinishedUploadError(error.message, error);
}

async function putWhole(client: S3Client, bucket: string, key: string, source: PartSource, options: PartUploadOptions): Promise<PartUploadResult> {
  const data = await source.read(0, source.sizeBytes);
  await options.beforeCommit?.();
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: data,
        ContentLength: data.length,
        ContentType: options.contentType,
        Metadata: { ...options.metadata },
      }),
      { abortSignal: options.abortSignal },
    );
  } catch (error) {
    throw s3StorageError(`writing s3://${bucket}/${key}`, error);
  }
  return { name: key, bytes: data.length, sha256: sha256(data), parts: 1, reusedParts: 0 };
}

async function createUpload(
  client: S3Client,
  bucket: string,
  key: string,
  source: PartSource,
  partSizeBytes: number,
  options: PartUploadOptions,
): Promise<PartUploadState> {
  try {
    const created = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType, Metadata: { ...options.metadata } }),
      { abortSignal: options.abortSignal },
    );
    if (created.UploadId === undefined) throw new Error("no UploadId in the answer");
    return {
      version: 1,
      bucket,
      key,
      uploadId: created.UploadId,
      partSizeBytes,
      sourceSizeBytes: source.sizeBytes,
      sourceModifiedMs: source.modifiedMs,
      parts: [],
    };
  } catch (error) {
    throw s3StorageError(`starting the multipart upload of s3://${bucket}/${key}`, error);
  }
}

/** Best effort: a bucket lifecycle rule (AbortIncompleteMultipartUpload) is the backstop for an abort that fails. */
async function abortUpload(client: S3Client, state: PartUploadState, options: PartUploadOptions, reason: string): Promise<void> {
  const what = `the unfinished upload ${state.uploadId} of s3://${state.bucket}/${state.key}`;
  try {
    await client.send(new AbortMultipartUploadCommand({ Bucket: state.bucket, Key: state.key, UploadId: state.uploadId }), {
      abortSignal: options.abortSignal,
    });
    options.onNotice?.(`aborted ${what} (${reason})`);
  } catch (error) {
    if (isUploadGone(error)) options.onNotice?.(`${what} is already gone (${reason})`);
    else
      options.onNotice?.(
        `could not abort ${what} (${reason}): ${errorMessage(error)} (a bucket lifecycle rule AbortIncompleteMultipartUpload removes its parts)`,
      );
  }
}

async function uploadParts(
  client: S3Client,
  initial: PartUploadState,
  source: PartSource,
  journal: UploadJournal,
  options: PartUploadOptions,
): Promise<PartUploadResult> {
  const { abortSignal } = options;
  const { bucket, key, uploadId, partSizeBytes } = initial;
  const recorded = new Map(initial.parts.map((part) => [part.partNumber, part]));
  const done = new Map(recorded);
  const total = Math.ceil(source.sizeBytes / partSizeBytes);
  const hash = createHash("sha256");
  const inFlight = new Set<Promise<void>>();
  let failed: { readonly error: unknown } | undefined;
  let saving = Promise.resolve();
  let bytesDone = 0;
  let reused = 0;
  // Saves are chained so the journal is written in order and always lists every part uploaded so far.
  const record = (part: RecordedPart): Promise<void> => {
    done.set(part.partNumber, part);
    bytesDone += part.bytes;
    options.onProgress?.({ partsDone: done.size, parts: total, bytesDone });
    const snapshot: PartUploadState = { ...initial, parts: [...done.values()].sort((a, b) => a.partNumber - b.partNumber) };
    saving = saving.then(() => journal.save(snapshot));
    return saving;
  };
  try {
    for (let partNumber = 1; partNumber <= total; partNumber += 1) {
      abortSignal?.throwIfAborted();
      const offset = (partNumber - 1) * partSizeBytes;
      const data = await source.read(offset, Math.min(partSizeBytes, source.sizeBytes - offset));
      hash.update(data);
      const digest = sha256(data);
      const earlier = recorded.get(partNumber);
      if (earlier !== undefined) {
        if (earlier.sha256 !== digest || earlier.bytes !== data.length) throw new StaleUpload(`part ${partNumber} of the source file changed since`);
        reused += 1;
        bytesDone += data.length;
        options.onProgress?.({ partsDone: done.size, parts: total, bytesDone });
        continue;
      }
      const sent = client
        .send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: data, ContentLength: data.length }), {
          abortSignal,
        })
        .catch((error: unknown) => {
          throw s3StorageError(`uploading part ${partNumber} of ${total} of s3://${bucket}/${key}`, error);
        })
        .then(async (answer) => {
          if (answer.ETag === undefined) throw new Error(`no ETag for part ${partNumber}`);
          const part = { partNumber, etag: answer.ETag, sha256: digest, bytes: data.length };
          await record(answer.ChecksumCRC32 === undefined ? part : { ...part, checksumCRC32: answer.ChecksumCRC32 });
        })
        .catch((error: unknown) => {
          failed ??= { error };
        });
      const tracked = sent.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= (options.concurrency ?? 2)) await Promise.race(inFlight);
      if (failed !== undefined) throw failed.error;
    }
    await Promise.all(inFlight);
    if (failed !== undefined) throw failed.error;
  } catch (error) {
    await Promise.allSettled(inFlight);
    await saving.catch(() => undefined);
    throw error;
  }
  await saving;
  await options.beforeCommit?.();
  const parts: CompletedPart[] = [...done.values()]
    .sort((a, b) => a.partNumber - b.partNumber)
    .map((part) => ({ PartNumber: part.partNumber, ETag: part.etag, ...(part.checksumCRC32 === undefined ? {} : { ChecksumCRC32: part.checksumCRC32 }) }));
  try {
    await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), { abortSignal });
  } catch (error) {
    throw s3StorageError(`completing s3://${bucket}/${key}`, error);
  }
  await journal.clear();
  return { name: key, bytes: source.sizeBytes, sha256: hash.digest("hex"), parts: total, reusedParts: reused };
}
