import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { StorageError } from "../../core/errors.js";
import { attempt } from "./errors.js";

/** S3 refuses part numbers above this. */
export const MAX_PARTS = 10_000;

export interface MultipartTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  /** `s3://bucket/key`, for messages. */
  readonly where: string;
}

export interface MultipartStart {
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly concurrency: number;
}

/**
 * One multipart upload: parts go up with bounded concurrency and the object
 * appears only at complete(); abort() discards whatever was staged.
 */
export class MultipartUpload {
  private readonly parts: CompletedPart[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  // Boxed so that even a thrown `undefined` counts as a failure.
  private failure: { readonly error: unknown } | undefined;
  private started = 0;

  private constructor(
    private readonly target: MultipartTarget,
    private readonly uploadId: string,
    private readonly crc32: boolean,
    private readonly concurrency: number,
  ) {}

  static async start(target: MultipartTarget, options: MultipartStart): Promise<MultipartUpload> {
    // As lib-storage does: with SDK-default checksums the upload must declare CRC32, or real S3 rejects
    // a CompleteMultipartUpload whose parts carried checksums it was not told about.
    const crc32 = (await target.client.config.requestChecksumCalculation()) === "WHEN_SUPPORTED";
    const created = await attempt(`starting a multipart upload of ${target.where}`, () =>
      target.client.send(
        new CreateMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          ContentType: options.contentType,
          Metadata: { ...options.metadata },
          ...(crc32 ? { ChecksumAlgorithm: "CRC32" } : {}),
        }),
      ),
    );
    if (created.UploadId === undefined) throw new StorageError(`starting a multipart upload of ${target.where}: the answer had no UploadId`, { retriable: true });
    return new MultipartUpload(target, created.UploadId, crc32, options.concurrency);
  }

  /** Sends the next part; returns once fewer than `concurrency` parts are in flight, so memory stays near part size × concurrency. */
  async add(data: Buffer): Promise<void> {
    this.throwIfFailed();
    const partNumber = (this.started += 1);
    if (partNumber > MAX_PARTS) {
      throw new StorageError(`writing ${this.target.where}: more than ${MAX_PARTS} parts of ${data.length} bytes; raise partSizeBytes`);
    }
    const what = `uploading part ${partNumber} of ${this.target.where}`;
    const upload = attempt(what, () =>
      this.target.client.send(
        new UploadPartCommand({
          Bucket: this.target.bucket,
          Key: this.target.key,
          UploadId: this.uploadId,
          PartNumber: partNumber,
          // A Buffer, not a stream: the SDK can retry it and never sends it aws-chunked.
          Body: data,
          ContentLength: data.length,
          ...(this.crc32 ? { ChecksumAlgorithm: "CRC32" } : {}),
        }),
      ),
    ).then(
      (output) => {
        if (output.ETag === undefined) throw new StorageError(`${what}: the answer had no ETag`, { retriable: true });
        this.parts[partNumber - 1] = { PartNumber: partNumber, ETag: output.ETag, ...(output.ChecksumCRC32 === undefined ? {} : { ChecksumCRC32: output.ChecksumCRC32 }) };
      },
    ).catch((error: unknown) => {
      this.failure ??= { error };
    });
    const tracked: Promise<void> = upload.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    if (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    this.throwIfFailed();
  }

  /** Waits for every part, lets `beforeCommit` veto, then makes the object visible. */
  async complete(beforeCommit: (() => void) | undefined): Promise<void> {
    await Promise.all(this.inFlight);
    this.throwIfFailed();
    beforeCommit?.();
    await attempt(`completing the multipart upload of ${this.target.where}`, () =>
      this.target.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.target.bucket,
          Key: this.target.key,
          UploadId: this.uploadId,
          MultipartUpload: { Parts: this.parts },
        }),
      ),
    );
  }

  /**
   * Discards the staged parts. Best effort: the caller rethrows the failure
   * that brought us here, and a bucket lifecycle rule (AbortIncompleteMultipartUpload)
   * is the backstop for an abort that fails or never runs.
   */
  async abort(): Promise<void> {
    // A part still in flight could land after the abort and be kept, so let them all finish first.
    await Promise.allSettled(this.inFlight);
    try {
      await this.target.client.send(new AbortMultipartUploadCommand({ Bucket: this.target.bucket, Key: this.target.key, UploadId: this.uploadId }));
    } catch {
      // Nothing useful to do: see above.
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
