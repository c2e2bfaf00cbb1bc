import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { HeadObjectCommand, S3Client, S3ServiceException, type S3ClientConfig } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError, StorageError } from "../../shared/core/errors.js";
import { S3ObjectStore } from "../../shared/sinks/s3/store.js";
import { startS3, type S3Bucket, type S3Harness } from "../helpers/s3.js";
import { uniqueName } from "../helpers/storage.js";

const MiB = 1024 * 1024;
const PART = 5 * MiB;

/** Random bytes with CRLFs and the aws-chunked terminator sprinkled in, so framing mistakes corrupt them visibly. */
function awkwardBytes(size: number): Buffer {
  const buffer = randomBytes(size);
  const hazard = Buffer.from("0\r\n\r\nchunk-signature=\r\n", "latin1");
  for (let at = 0; at + hazard.length < size; at += 64 * 1024 + 7) hazard.copy(buffer, at);
  return buffer;
}

/** Uneven chunks that never line up with part boundaries. */
async function* chunked(data: Uint8Array, chunk = 300_001): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += chunk) yield data.subarray(at, at + chunk);
}

async function* failingAfter(data: Uint8Array, error: Error): AsyncGenerator<Uint8Array> {
  yield* chunked(data);
  throw error;
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function byteLength(body: unknown): number | undefined {
  return body instanceof Uint8Array ? body.length : undefined;
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

interface Call {
  readonly command: string;
  readonly input: unknown;
  /** Commands of any kind still running when this one started. */
  readonly alongside: number;
  output?: unknown;
  error?: unknown;
}

/** An S3Client that records every command (input, output, error) and can be told to fail some before they are sent. */
function instrumentedClient(config: S3ClientConfig) {
  const client = new S3Client(config);
  const calls: Call[] = [];
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  let fault: ((command: string, input: unknown) => Error | undefined) | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? "unknown";
      const call: Call = { command, input: args.input, alongside: [...inFlight.values()].reduce((sum, n) => sum + n, 0) };
      calls.push(call);
      const running = (inFlight.get(command) ?? 0) + 1;
      inFlight.set(command, running);
      peak.set(command, Math.max(peak.get(command) ?? 0, running));
      try {
        const injected = fault?.(command, args.input);
        if (injected !== undefined) throw injected;
        const result = await next(args);
        call.output = result.output;
        return result;
      } catch (error) {
        call.error = error;
        throw error;
      } finally {
        inFlight.set(command, (inFlight.get(command) ?? 1) - 1);
      }
    },
    { step: "initialize", name: "s3StoreTestRecorder" },
  );
  return {
    client,
    calls,
    commands: (): string[] => calls.map((call) => call.command.replace(/Command$/, "")),
    peak: (command: string): number => peak.get(`${command}Command`) ?? 0,
    failWhen(inject: (command: string, input: unknown) => Error | undefined): void {
      fault = inject;
    },
  };
}

function serviceError(name: string, status: number, message = `${name} (injected)`): S3ServiceException {
  return new S3ServiceException({ name, message, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("expected a rejection"),
    (error: unknown) => error,
  );
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe("S3ObjectStore against s3rver", () => {
  let s3: S3Harness;
  let bucket: S3Bucket;
  const clients: S3Client[] = [];

  /** A store with 5 MiB parts over a fresh instrumented client. */
  function setup(config: Partial<S3ClientConfig> = {}, concurrency = 2) {
    const instrumented = instrumentedClient({ ...s3.clientConfig, ...config });
    clients.push(instrumented.client);
    return { ...instrumented, store: new S3ObjectStore(instrumented.client, bucket.name, { partSizeBytes: PART, concurrency }) };
  }

  async function head(key: string) {
    return s3.client().send(new HeadObjectCommand({ Bucket: bucket.name, Key: key }));
  }

  beforeAll(async () => {
    s3 = await startS3();
    bucket = await s3.bucket(uniqueName("s3-store"));
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await s3?.stop();
  });

  it("validates its options and names its location", () => {
    const client = s3.client();
    expect(new S3ObjectStore(client, "exports").location).toBe("s3://exports");
    expect(() => new S3ObjectStore(client, "exports", { partSizeBytes: MiB })).toThrow(ConfigurationError);
    expect(() => new S3ObjectStore(client, "exports", { partSizeBytes: 6 * MiB + 0.5 })).toThrow(ConfigurationError);
    expect(() => new S3ObjectStore(client, "exports", { concurrency: 0 })).toThrow(ConfigurationError);
  });

  it("writes an object smaller than a part as one PutObject, only after beforeCommit agreed, byte for byte", async () => {
    const { store, commands } = setup();
    const data = awkwardBytes(PART - 1);
    let seenAtCommit: string[] = [];
    const stored = await store.writeObject("small/one.bin", chunked(data), {
      contentType: "application/vnd.apache.parquet",
      metadata: { "run-id": "r1" },
      beforeCommit: () => {
        seenAtCommit = commands();
      },
    });
    expect(seenAtCommit).toEqual([]);
    expect(commands()).toEqual(["PutObject"]);
    expect(stored).toEqual({ name: "small/one.bin", bytes: data.length, sha256: sha256(data) });
    expect(sha256(await bucket.getBytes("small/one.bin"))).toBe(sha256(data));
    const headers = await head("small/one.bin");
    expect(headers.ContentType).toBe("application/vnd.apache.parquet");
    expect(headers.Metadata).toEqual({ "run-id": "r1" });
  });

  it("writes an empty body as an empty object", async () => {
    const { store, commands } = setup();
    const stored = await store.writeObject("small/empty.bin", chunked(Buffer.alloc(0)), { contentType: "application/octet-stream" });
    expect(stored).toEqual({ name: "small/empty.bin", bytes: 0, sha256: sha256(Buffer.alloc(0)) });
    expect(commands()).toEqual(["PutObject"]);
    expect((await bucket.getBytes("small/empty.bin")).length).toBe(0);
  });

  it("writes 20 MiB + 7 bytes as five parts, completing only after beforeCommit, byte for byte", async () => {
    const { store, commands, calls, peak } = setup();
    const data = awkwardBytes(20 * MiB + 7);
    let seenAtCommit: string[] = [];
    const stored = await store.writeObject("large/twenty.bin", chunked(data), {
      contentType: "application/vnd.apache.parquet",
      metadata: { "run-id": "r2", rows: "123" },
      beforeCommit: () => {
        seenAtCommit = commands();
      },
    });
    expect(seenAtCommit[0]).toBe("CreateMultipartUpload");
    expect(seenAtCommit).not.toContain("CompleteMultipartUpload");
    expect(commands()).toEqual(["CreateMultipartUpload", ...Array.from({ length: 5 }, () => "UploadPart"), "CompleteMultipartUpload"]);
    expect(peak("UploadPart")).toBeLessThanOrEqual(2);
    const parts = calls
      .filter((call) => call.command === "UploadPartCommand")
      .map((call) => [field(call.input, "PartNumber"), byteLength(field(call.input, "Body"))]);
    expect(parts).toEqual([
      [1, PART],
      [2, PART],
      [3, PART],
      [4, PART],
      [5, 7],
    ]);
    const completed = field(field(calls.at(-1)?.input, "MultipartUpload"), "Parts");
    expect(Array.isArray(completed) ? completed.map((part: unknown) => field(part, "PartNumber")) : completed).toEqual([1, 2, 3, 4, 5]);
    expect(stored).toEqual({ name: "large/twenty.bin", bytes: data.length, sha256: sha256(data) });
    expect(sha256(await bucket.getBytes("large/twenty.bin"))).toBe(sha256(data));
    const headers = await head("large/twenty.bin");
    expect(headers.ContentType).toBe("application/vnd.apache.parquet");
    expect(headers.Metadata).toEqual({ "run-id": "r2", rows: "123" });
  });

  it("writes a body of exactly one part size as one PutObject, and one byte more as two parts", async () => {
    const { store, commands } = setup({}, 1);
    const data = awkwardBytes(PART);
    const stored = await store.writeObject("large/exact.bin", chunked(data, 4 * MiB), { contentType: "application/octet-stream" });
    expect(commands()).toEqual(["PutObject"]);
    const more = awkwardBytes(PART + 1);
    await store.writeObject("large/more.bin", chunked(more, 4 * MiB), { contentType: "application/octet-stream" });
    expect(commands().slice(1)).toEqual(["CreateMultipartUpload", "UploadPart", "UploadPart", "CompleteMultipartUpload"]);
    expect(sha256(await bucket.getBytes("large/more.bin"))).toBe(sha256(more));
    expect(stored.sha256).toBe(sha256(data));
    expect(sha256(await bucket.getBytes("large/exact.bin"))).toBe(sha256(data));
  });

  it("with SDK-default checksums (as production clients have), declares CRC32 on the multipart upload and still stores the bytes exactly", async () => {
    const { store, calls } = setup({ requestChecksumCalculation: "WHEN_SUPPORTED", responseChecksumValidation: "WHEN_SUPPORTED" });
    const large = awkwardBytes(2 * PART + 11);
    const small = awkwardBytes(MiB);
    await store.writeObject("checksums/large.bin", chunked(large), { contentType: "application/octet-stream" });
    await store.writeObject("checksums/small.bin", chunked(small), { contentType: "application/octet-stream" });
    const declared = calls.filter((call) => call.command === "CreateMultipartUploadCommand").map((call) => field(call.input, "ChecksumAlgorithm"));
    expect(declared).toEqual(["CRC32"]);
    expect(sha256(await bucket.getBytes("checksums/large.bin"))).toBe(sha256(large));
    expect(sha256(await bucket.getBytes("checksums/small.bin"))).toBe(sha256(small));
  });

  // s3rver implements neither ListMultipartUploads (501) nor AbortMultipartUpload (405), so these tests
  // check that the abort is sent for the upload that was created, and that no object appears.
  function abortedUploads(calls: readonly Call[]): { created: unknown[]; aborted: unknown[] } {
    // A part still in flight when the abort goes out could be kept by S3 after it.
    expect(calls.filter((call) => call.command === "AbortMultipartUploadCommand").map((call) => call.alongside)).toEqual([0]);
    return {
      created: calls.filter((call) => call.command === "CreateMultipartUploadCommand").map((call) => field(call.output, "UploadId")),
      aborted: calls.filter((call) => call.command === "AbortMultipartUploadCommand").map((call) => field(call.input, "UploadId")),
    };
  }

  it("discards a multipart write whose beforeCommit throws, aborting the upload and keeping the previous version", async () => {
    const { store, calls, commands } = setup();
    await store.writeText("veto/object.bin", "previous version");
    calls.length = 0;
    const veto = new Error("row count mismatch");
    const error = await rejection(
      store.writeObject("veto/object.bin", chunked(awkwardBytes(2 * PART + 1)), {
        contentType: "application/octet-stream",
        beforeCommit: () => {
          throw veto;
        },
      }),
    );
    expect(error).toBe(veto);
    expect(commands()).not.toContain("CompleteMultipartUpload");
    const { created, aborted } = abortedUploads(calls);
    expect(created).toHaveLength(1);
    expect(aborted).toEqual(created);
    expect((await bucket.getBytes("veto/object.bin")).toString()).toBe("previous version");
  });

  it("sends nothing for a small write whose beforeCommit throws", async () => {
    const { store, commands } = setup();
    const veto = new Error("no");
    const error = await rejection(
      store.writeObject("veto/small.bin", chunked(awkwardBytes(1000)), {
        contentType: "application/octet-stream",
        beforeCommit: () => {
          throw veto;
        },
      }),
    );
    expect(error).toBe(veto);
    expect(commands()).toEqual([]);
    expect(await bucket.exists("veto/small.bin")).toBe(false);
  });

  it("aborts when the source fails after two parts, rethrowing the source's error and leaving nothing", async () => {
    const { store, calls, commands } = setup();
    const broken = new Error("source died");
    const error = await rejection(
      store.writeObject("broken/mid.bin", failingAfter(awkwardBytes(2 * PART + 100), broken), { contentType: "application/octet-stream" }),
    );
    expect(error).toBe(broken);
    expect(commands().filter((command) => command === "UploadPart")).toHaveLength(2);
    expect(commands()).not.toContain("CompleteMultipartUpload");
    const { created, aborted } = abortedUploads(calls);
    expect(created).toHaveLength(1);
    expect(aborted).toEqual(created);
    expect(await bucket.exists("broken/mid.bin")).toBe(false);
  });

  it("sends nothing when the source fails before a whole part arrived", async () => {
    const { store, commands } = setup();
    const broken = new Error("source died early");
    const error = await rejection(store.writeObject("broken/early.bin", failingAfter(awkwardBytes(MiB), broken), { contentType: "application/octet-stream" }));
    expect(error).toBe(broken);
    expect(commands()).toEqual([]);
    expect(await bucket.exists("broken/early.bin")).toBe(false);
  });

  it("aborts when a part fails, reporting a retriable StorageError that names the object and S3's answer", async () => {
    const { store, calls, commands, failWhen } = setup();
    failWhen((command, input) =>
      command === "UploadPartCommand" && field(input, "PartNumber") === 3 ? serviceError("SlowDown", 503, "Please reduce your request rate.") : undefined,
    );
    const error = await rejection(store.writeObject("broken/part.bin", chunked(awkwardBytes(4 * PART)), { contentType: "application/octet-stream" }));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ retriable: true });
    expect(String(field(error, "message"))).toBe(`writing s3://${bucket.name}/broken/part.bin failed (HTTP 503 SlowDown): Please reduce your request rate.`);
    expect(commands()).not.toContain("CompleteMultipartUpload");
    const { created, aborted } = abortedUploads(calls);
    expect(aborted).toEqual(created);
    expect(await bucket.exists("broken/part.bin")).toBe(false);
  });

  it("aborts when CompleteMultipartUpload fails", async () => {
    const { store, calls, failWhen } = setup();
    failWhen((command) => (command === "CompleteMultipartUploadCommand" ? serviceError("InternalError", 500) : undefined));
    const error = await rejection(store.writeObject("broken/complete.bin", chunked(awkwardBytes(PART + 1)), { contentType: "application/octet-stream" }));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({
      retriable: true,
      message: expect.stringMatching(/^writing s3:\/\/.*\/broken\/complete\.bin failed \(HTTP 500 InternalError\)/),
    });
    const { created, aborted } = abortedUploads(calls);
    expect(aborted).toEqual(created);
    expect(await bucket.exists("broken/complete.bin")).toBe(false);
  });

  it("reads and writes text, honouring ifNoneMatch and ifMatch", async () => {
    const { store } = setup();
    const name = "state/watermark.json";
    expect(await store.readText(name)).toBeUndefined();
    const first = await store.writeText(name, '{"v":"één"}\n', { ifNoneMatch: "*" });
    expect(first).toMatch(/^".+"$/);
    expect(await store.readText(name)).toEqual({ text: '{"v":"één"}\n', etag: first });
    expect(await store.writeText(name, '{"v":2}\n', { ifNoneMatch: "*" })).toBeUndefined();
    expect((await store.readText(name))?.text).toBe('{"v":"één"}\n');
    const second = await store.writeText(name, '{"v":3}\n', { ifMatch: first ?? "" });
    expect(second).toBeDefined();
    expect(await store.readText(name)).toEqual({ text: '{"v":3}\n', etag: second });
    expect((await head(name)).ContentType).toBe("application/json");
    expect(await store.writeText(name, "unconditional")).toBeDefined();
    expect((await store.readText(name))?.text).toBe("unconditional");
  });

  // s3rver (and the harness front) ignore If-Match, so S3's answers to a stale etag are injected here.
  it("returns undefined from a conditional writeText that S3 answers with 412 or 409 ConditionalRequestConflict, and throws without a condition", async () => {
    const { store, failWhen } = setup();
    let answer = serviceError("PreconditionFailed", 412);
    failWhen((command) => (command === "PutObjectCommand" ? answer : undefined));
    expect(await store.writeText("state/stale.json", "{}", { ifMatch: '"stale"' })).toBeUndefined();
    answer = serviceError("ConditionalRequestConflict", 409);
    expect(await store.writeText("state/stale.json", "{}", { ifMatch: '"stale"' })).toBeUndefined();
    expect(await store.writeText("state/stale.json", "{}", { ifNoneMatch: "*" })).toBeUndefined();
    const error = await rejection(store.writeText("state/stale.json", "{}"));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({
      retriable: false,
      message: `writing s3://${bucket.name}/state/stale.json failed (HTTP 409 ConditionalRequestConflict): ConditionalRequestConflict (injected)`,
    });
  });

  it("lists more than 1,000 keys under a prefix, following pages", async () => {
    const { store, commands } = setup();
    const keys = Array.from({ length: 1_234 }, (_, i) => `listing/hour=${String(i % 24).padStart(2, "0")}/part-${String(i).padStart(5, "0")}.csv`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((key) => store.writeText(key, key)));
    await store.writeText("listing-other/x", "x");
    const before = commands().length;
    expect(await collect(store.list("listing/"))).toEqual([...keys].sort());
    expect(commands().slice(before)).toEqual(["ListObjectsV2", "ListObjectsV2"]);
    expect(await collect(store.list("listing/hour=07/"))).toEqual(keys.filter((key) => key.includes("hour=07/")).sort());
    expect(await collect(store.list("nothing-here/"))).toEqual([]);
  });

  it("deletes an object, and a missing one without complaint", async () => {
    const { store } = setup();
    await store.writeText("gone/soon.txt", "bye");
    await store.delete("gone/soon.txt");
    expect(await bucket.exists("gone/soon.txt")).toBe(false);
    await expect(store.delete("gone/soon.txt")).resolves.toBeUndefined();
    await expect(store.delete("never/was.txt")).resolves.toBeUndefined();
  });

  it("treats a missing bucket as a non-retriable StorageError, not as an empty store", async () => {
    const missing = new S3ObjectStore(s3.client(), "no-such-bucket-here", { partSizeBytes: PART });
    const read = await rejection(missing.readText("state/x.json"));
    expect(read).toBeInstanceOf(StorageError);
    expect(read).toMatchObject({
      retriable: false,
      message: expect.stringMatching(/^reading s3:\/\/no-such-bucket-here\/state\/x\.json failed \(HTTP 404 NoSuchBucket\)/),
    });
    await expect(collect(missing.list("a/"))).rejects.toMatchObject({
      retriable: false,
      message: expect.stringMatching(/^listing s3:\/\/no-such-bucket-here\/a\/\* failed/),
    });
    await expect(missing.writeObject("a/b.bin", chunked(awkwardBytes(10)), { contentType: "application/octet-stream" })).rejects.toMatchObject({
      retriable: false,
      message: expect.stringMatching(/^writing s3:\/\/no-such-bucket-here\/a\/b\.bin failed \(HTTP 404 NoSuchBucket\)/),
    });
  });

  it("classifies throttling and 5xx as retriable, refusals as not", async () => {
    const { store, failWhen } = setup();
    let answer = serviceError("SlowDown", 503);
    failWhen(() => answer);
    await expect(store.readText("x")).rejects.toMatchObject({ retriable: true });
    answer = serviceError("RequestTimeout", 400);
    await expect(store.delete("x")).rejects.toMatchObject({
      retriable: true,
      message: expect.stringMatching(/^deleting s3:\/\/.*\/x failed \(HTTP 400 RequestTimeout\)/),
    });
    answer = serviceError("AccessDenied", 403);
    await expect(store.writeText("x", "y")).rejects.toMatchObject({ retriable: false });
    await expect(store.writeObject("x", chunked(awkwardBytes(PART + 1)), { contentType: "application/octet-stream" })).rejects.toMatchObject({
      retriable: false,
      message: expect.stringMatching(/^writing s3:\/\/.*\/x failed \(HTTP 403 AccessDenied\)/),
    });
  });

  it("reports a refused connection as retriable, without credentials in the message", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
      });
    });
    const { client } = instrumentedClient({
      ...s3.clientConfig,
      endpoint: `http://127.0.0.1:${port}`,
      maxAttempts: 1,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "very-secret-key" },
    });
    clients.push(client);
    const store = new S3ObjectStore(client, "exports");
    const error = await rejection(store.readText("state/x.json"));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ retriable: true, message: expect.stringMatching(/^reading s3:\/\/exports\/state\/x\.json failed/) });
    expect(String(field(error, "message"))).not.toMatch(/very-secret-key|AKIDEXAMPLE/);
  });
});
