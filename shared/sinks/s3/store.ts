import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { ConfigurationError, StorageError } from "../../core/errors.js";
import type { StateStore, StoredObject, TextObject, WriteCondition, WriteObjectOptions } from "../../core/ports.js";
import { attempt, isConditionFailed, isMissingKey, s3StorageError } from "./errors.js";

const MiB = 1024 * 1024;
/** Conditional appends that lose this many races in a row give up (writers of one ledger are few: one per hour and export). */
const APPEND_ATTEMPTS = 10;
/** S3's smallest non-final part (smaller ones fail only at CompleteMultipartUpload) and its largest part. */
const MIN_PART_BYTES = 5 * MiB;
const MAX_PART_BYTES = 5 * 1024 * MiB;

export interface S3ObjectStoreOptions {
  /** Bytes per part, 5 MiB to 5 GiB; memory is about partSizeBytes × concurrency. Objects of at most one part are a single PutObject (lib-storage Upload). */
  readonly partSizeBytes?: number;
  readonly concurrency?: number;
}

/**
 * An S3 bucket as an ObjectStore. Large objects are multipart uploads, which
 * S3 shows only at completion, after `beforeCommit` agreed; any failure aborts
 * the upload, so an object is never half-written.
 */
export class S3ObjectStore implements StateStore {
  readonly location: string;
  private readonly partSizeBytes: number;
  private readonly concurrency: number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: S3ObjectStoreOptions = {},
  ) {
    this.location = `s3://${bucket}`;
    this.partSizeBytes = options.partSizeBytes ?? 8 * MiB;
    this.concurrency = options.concurrency ?? 2;
    if (!Number.isSafeInteger(this.partSizeBytes) || this.partSizeBytes < MIN_PART_BYTES || this.partSizeBytes > MAX_PART_BYTES) {
      throw new ConfigurationError(
        `S3 part size must be a whole number of bytes from ${MIN_PART_BYTES} (5 MiB) to ${MAX_PART_BYTES} (5 GiB), got ${this.partSizeBytes}`,
      );
    }
    if (!Number.isSafeInteger(this.concurrency) || this.concurrency < 1) {
      throw new ConfigurationError(`S3 upload concurrency must be a whole number ≥ 1, got ${this.concurrency}`);
    }
  }

  private where(name: string): string {
    return `${this.location}/${name}`;
  }

  async writeObject(name: string, body: AsyncIterable<Uint8Array>, options: WriteObjectOptions): Promise<StoredObject> {
    const hash = createHash("sha256");
    let bytes = 0;
    // Boxed so that even a thrown `undefined` counts: the source's and beforeCommit's errors go up unchanged, as in the other stores.
    let ownFailure: { readonly error: unknown } | undefined;
    async function* measured(): AsyncGenerator<Uint8Array> {
      // What is thrown in at a yield is the upload tearing the stream down, not a failure of ours.
      let atYield = false;
      try {
        for await (const chunk of body) {
          hash.update(chunk);
          bytes += chunk.length;
          atYield = true;
          yield chunk;
          atYield = false;
        }
        // The end of the body comes before the last part is sent and before the upload completes, so a veto here
        // leaves nothing visible: lib-storage aborts the multipart upload (or never sends the single PutObject).
        options.beforeCommit?.();
      } catch (error) {
        if (!atYield) ownFailure = { error };
        throw error;
      }
    }
    const source = Readable.from(measured());
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: name, Body: source, ContentType: options.contentType, Metadata: { ...options.metadata } },
      partSize: this.partSizeBytes,
      queueSize: this.concurrency,
      // lib-storage would abort by itself, but a failed abort (a missing permission, an emulator without it) would then
      // replace the error that matters; abortStaged() aborts instead and keeps that error.
      leavePartsOnError: true,
    });
    try {
      await upload.done();
    } catch (error) {
      await this.abortStaged(name, upload.uploadId);
      if (ownFailure !== undefined) throw ownFailure.error;
      throw s3StorageError(`writing ${this.where(name)}`, error);
    } finally {
      source.destroy();
    }
    return { name, bytes, sha256: hash.digest("hex") };
  }

  /**
   * Discards a failed upload's staged parts (lib-storage has awaited every part in flight by then). Best effort:
   * the caller rethrows the failure that brought us here, and a bucket lifecycle rule
   * (AbortIncompleteMultipartUpload) is the backstop for an abort that fails or never runs.
   */
  private async abortStaged(name: string, uploadId: string | undefined): Promise<void> {
    if (uploadId === undefined) return;
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: name, UploadId: uploadId })).catch(() => undefined);
  }

  async readText(name: string): Promise<TextObject | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: name }));
      const text = (await response.Body?.transformToString("utf-8")) ?? "";
      return { text, etag: response.ETag ?? "" };
    } catch (error) {
      if (isMissingKey(error)) return undefined;
      throw s3StorageError(`reading ${this.where(name)}`, error);
    }
  }

  async writeText(name: string, text: string, condition?: WriteCondition): Promise<string | undefined> {
    const body = Buffer.from(text, "utf8");
    try {
      const response = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: name,
          Body: body,
          ContentLength: body.length,
          ContentType: name.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8",
          ...(condition === undefined ? {} : "ifMatch" in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: "*" }),
        }),
      );
      return response.ETag ?? "";
    } catch (error) {
      if (condition !== undefined && isConditionFailed(error)) return undefined;
      throw s3StorageError(`writing ${this.where(name)}`, error);
    }
  }

  /**
   * S3 has no append: the object is read and written back with If-Match on the ETag read (If-None-Match
   * when new), so a concurrent append makes this one retry instead of being lost (S3 conditional writes).
   */
  async appendLine(name: string, line: string, header: string): Promise<void> {
    for (let attempt = 1; attempt <= APPEND_ATTEMPTS; attempt += 1) {
      const found = await this.readText(name);
      const text = found === undefined ? `${header}\n${line}\n` : `${found.text}${found.text.endsWith("\n") || found.text === "" ? "" : "\n"}${line}\n`;
      const written = await this.writeText(name, text, found === undefined ? { ifNoneMatch: "*" } : { ifMatch: found.etag });
      if (written !== undefined) return;
    }
    throw new StorageError(`appending to ${this.where(name)}: another writer changed it ${APPEND_ATTEMPTS} times in a row`, { retriable: true });
  }

  async *list(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await attempt(`listing ${this.where(prefix)}*`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object.Key;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: name }));
    } catch (error) {
      // S3 answers 204 for a missing key; an emulator may say 404.
      if (!isMissingKey(error)) throw s3StorageError(`deleting ${this.where(name)}`, error);
    }
  }
}
