import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { Readable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type S3Bucket, type S3Harness } from "../helpers/s3.js";
import { uniqueName } from "../helpers/storage.js";

const MiB = 1024 * 1024;

/** Bytes that break naive framing: CRLFs, "0\r\n\r\n" (the aws-chunked terminator) and random data. */
function awkwardBytes(size: number): Buffer {
  const buffer = randomBytes(size);
  const hazard = Buffer.from("0\r\n\r\nchunk-signature=\r\n", "latin1");
  for (let at = 0; at + hazard.length < size; at += 64 * 1024 + 7) hazard.copy(buffer, at);
  return buffer;
}

/** A stream of `total` bytes in uneven chunks, so the SDK cannot know the length up front from a Buffer. */
function chunked(data: Buffer, chunk = 300_001): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += chunk) yield data.subarray(at, at + chunk);
    })(),
  );
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

async function expectPreconditionFailed(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(S3ServiceException);
  const s3Error = error as S3ServiceException;
  expect(s3Error.name).toBe("PreconditionFailed");
  expect(s3Error.$metadata.httpStatusCode).toBe(412);
}

describe("S3 harness (s3rver in a child process behind a conditional-write front)", () => {
  let s3: S3Harness;
  let bucket: S3Bucket;

  beforeAll(async () => {
    s3 = await startS3({ buckets: ["preconfigured"] });
    bucket = await s3.bucket(uniqueName("harness"));
  });

  afterAll(async () => {
    await s3?.stop();
  });

  it("creates configured buckets and is idempotent about bucket()", async () => {
    const again = await s3.bucket("preconfigured");
    expect(await again.keys()).toEqual([]);
    await expect(s3.bucket(bucket.name)).resolves.toMatchObject({ name: bucket.name });
  });

  it("stores a streamed PutObject body byte for byte", async () => {
    const data = awkwardBytes(3 * MiB + 17);
    await s3.client().send(new PutObjectCommand({ Bucket: bucket.name, Key: "stream/put.bin", Body: chunked(data), ContentLength: data.length }));
    const stored = await bucket.getBytes("stream/put.bin");
    expect(stored.length).toBe(data.length);
    expect(sha256(stored)).toBe(sha256(data));
  });

  it("streams a GetObject body back byte for byte", async () => {
    const data = awkwardBytes(2 * MiB + 3);
    await s3.client().send(new PutObjectCommand({ Bucket: bucket.name, Key: "stream/get.bin", Body: data }));
    const response = await s3.client().send(new GetObjectCommand({ Bucket: bucket.name, Key: "stream/get.bin" }));
    const chunks: Buffer[] = [];
    for await (const chunk of response.Body as Readable) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(data));
  });

  it("assembles a lib-storage multipart Upload (> 5 MB, 3 parts) byte for byte", async () => {
    const data = awkwardBytes(12 * MiB + 5);
    const upload = new Upload({
      client: s3.client(),
      params: { Bucket: bucket.name, Key: "multipart/big.bin", Body: chunked(data) },
      partSize: 5 * MiB,
      queueSize: 2,
    });
    const parts = new Set<number>();
    upload.on("httpUploadProgress", (progress) => {
      if (progress.part !== undefined) parts.add(progress.part);
    });
    await upload.done();
    // s3rver's ETag does not carry the "-<parts>" suffix real S3 gives, so count the parts sent instead.
    expect([...parts].sort()).toEqual([1, 2, 3]);
    expect(sha256(await bucket.getBytes("multipart/big.bin"))).toBe(sha256(data));
  });

  it("pages ListObjectsV2 over more than 1,000 keys (needs the legacy OpenSSL provider)", async () => {
    const listing = await s3.bucket(uniqueName("listing"));
    const keys = Array.from({ length: 1_234 }, (_, i) => `year=2026/hour=${String(i % 24).padStart(2, "0")}/part-${String(i).padStart(5, "0")}.parquet`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((Key) => s3.client().send(new PutObjectCommand({ Bucket: listing.name, Key, Body: Key }))));
    }
    const first = await s3.client().send(new ListObjectsV2Command({ Bucket: listing.name }));
    expect(first.Contents).toHaveLength(1_000);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextContinuationToken).toBeTruthy();

    const listed = await listing.keys();
    expect(listed).toHaveLength(keys.length);
    expect(listed).toEqual([...keys].sort());
    expect(await listing.keys("year=2026/hour=07/")).toHaveLength(keys.filter((k) => k.includes("hour=07/")).length);
  });

  it("answers 412 PreconditionFailed to IfNoneMatch '*' PutObject when the key exists", async () => {
    const client = s3.client();
    const put = (body: string): Promise<unknown> =>
      client.send(new PutObjectCommand({ Bucket: bucket.name, Key: "conditional/put.txt", Body: body, IfNoneMatch: "*" }));
    await put("first");
    await expectPreconditionFailed(put("second"));
    expect((await bucket.getBytes("conditional/put.txt")).toString()).toBe("first");
    // Unconditional writes still overwrite.
    await client.send(new PutObjectCommand({ Bucket: bucket.name, Key: "conditional/put.txt", Body: "third" }));
    expect((await bucket.getBytes("conditional/put.txt")).toString()).toBe("third");
  });

  it("answers 412 to a conditional multipart Upload at CompleteMultipartUpload, leaving the object alone", async () => {
    const upload = (data: Buffer): Promise<unknown> =>
      new Upload({
        client: s3.client(),
        params: { Bucket: bucket.name, Key: "conditional/multipart.bin", Body: chunked(data), IfNoneMatch: "*" },
        partSize: 5 * MiB,
      }).done();
    const first = awkwardBytes(6 * MiB);
    await upload(first);
    await expectPreconditionFailed(upload(awkwardBytes(6 * MiB)));
    expect(sha256(await bucket.getBytes("conditional/multipart.bin"))).toBe(sha256(first));
  });

  it("reports existence through the bucket handle", async () => {
    await s3.client().send(new PutObjectCommand({ Bucket: bucket.name, Key: "exists/yes", Body: "y" }));
    expect(await bucket.exists("exists/yes")).toBe(true);
    expect(await bucket.exists("exists/no")).toBe(false);
  });

  it("works without forcePathStyle (an IP endpoint is path-style anyway), as the env settings assume", async () => {
    const client = new S3Client({ ...s3.clientConfig, forcePathStyle: false });
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket.name, Key: "env/path-style.txt", Body: "ok" }));
      expect((await bucket.getBytes("env/path-style.txt")).toString()).toBe("ok");
    } finally {
      client.destroy();
    }
    expect(s3.env).toMatchObject({ AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED" });
  });
});

describe("S3 harness lifecycle", () => {
  it("removes its data directory on stop, and stop is idempotent", async () => {
    const s3 = await startS3();
    const bucket = await s3.bucket("lifecycle");
    await s3.client().send(new PutObjectCommand({ Bucket: bucket.name, Key: "k", Body: "v" }));
    expect(existsSync(s3.directory)).toBe(true);
    await Promise.all([s3.stop(), s3.stop()]);
    expect(existsSync(s3.directory)).toBe(false);
  });
});
