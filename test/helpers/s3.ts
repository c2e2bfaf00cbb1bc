/**
 * Starts a throwaway S3-compatible server (s3rver 3.7.1) on a free port, with
 * its data in a temporary directory removed on stop.
 *
 * s3rver runs in a child process started with `--openssl-legacy-provider`:
 * its ListObjectsV2 continuation tokens use DES, which Node ≥ 17 only offers
 * with that flag, and a flag on a child works the same inside vitest forks and
 * a plain `tsx` process (NODE_OPTIONS would leak into everything). It also
 * keeps s3rver's memory out of the process a benchmark measures.
 *
 * In the same child, a small node:http front proxies every request to s3rver
 * and adds what s3rver lacks: `If-None-Match: *` on PutObject and
 * CompleteMultipartUpload answers 412 PreconditionFailed when the key exists
 * (s3rver ignores the header and overwrites). It also gives multipart uploads
 * S3's lifecycle, which s3rver lacks: AbortMultipartUpload removes the upload
 * (s3rver answers 405), and UploadPart, CompleteMultipartUpload and Abort of
 * an upload id it does not know answer 404 NoSuchUpload (s3rver would
 * create the upload's directory for a part and accept it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NotFound, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

/** s3rver accepts only this key pair (it checks SigV4 signatures). */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;
export const S3_TEST_REGION = "us-east-1";

const HOST = "127.0.0.1";
const STARTUP_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 8_000;
const READY_LINE = /^S3_HARNESS_READY (\d+)\s*$/m;

export interface S3Bucket {
  readonly name: string;
  /** The whole object; rejects with the SDK's NoSuchKey when absent. */
  getBytes(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /** Every key under the prefix, following ListObjectsV2 pages (1,000 keys each). */
  keys(prefix?: string): Promise<string[]>;
}

export interface S3Harness {
  /** `http://127.0.0.1:<port>` (the front; path-style requests only). */
  readonly endpoint: string;
  /** s3rver's data directory (a fresh temporary directory, removed by stop()). */
  readonly directory: string;
  /** What any S3Client talking to this server needs; spread it into product code's client options. */
  readonly clientConfig: S3ClientConfig;
  /** The same settings as environment variables, for a child process (CLI) using the default chain. */
  readonly env: Readonly<Record<string, string>>;
  /** A handle on the bucket, created if it does not exist yet. */
  bucket(name: string): Promise<S3Bucket>;
  /** One shared client configured with `clientConfig` (destroyed by stop()). */
  client(): S3Client;
  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes its data directory. Idempotent. */
  stop(): Promise<void>;
}

export interface S3HarnessOptions {
  /** Buckets created before the server answers. */
  buckets?: string[];
  signal?: AbortSignal;
}

/** Client settings for an s3rver endpoint; see FIELD-NOTES "S3 emulator" for why each one matters. */
export function s3ClientConfig(endpoint: string): S3ClientConfig {
  return {
    region: S3_TEST_REGION,
    endpoint,
    credentials: { ...S3RVER_CREDENTIALS },
    forcePathStyle: true,
    // With the defaults a streamed body is sent aws-chunked and s3rver stores the framing: silently corrupt objects.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
}

/** Environment equivalent of s3ClientConfig (the SDK picks path style by itself for an IP endpoint). */
export function s3Env(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: S3_TEST_REGION,
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
  };
}

/**
 * The child process (CommonJS, like s3rver). Exits when our stdin pipe closes,
 * i.e. when the parent dies for any reason, even SIGKILL.
 */
const CHILD_SCRIPT = String.raw`
"use strict";
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const S3rver = require(process.env.S3_HARNESS_S3RVER);
const { directory, buckets } = JSON.parse(process.env.S3_HARNESS_CONFIG);

function preconditionFailed(res, bucket, key) {
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
    "<Message>At least one of the pre-conditions you specified did not hold</Message>" +
    "<Condition>If-None-Match</Condition><BucketName>" + escapeXml(bucket) + "</BucketName><Key>" + escapeXml(key) +
    "</Key><RequestId>s3-harness</RequestId></Error>";
  res.writeHead(412, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function escapeXml(text) {
  return text.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]);
}

/** [bucket, key] of a path-style object URL, or undefined for bucket-level requests. */
function objectOf(url) {
  const match = /^\/([^/]+)\/(.+)$/.exec(url.pathname);
  return match ? [decodeURIComponent(match[1]), decodeURIComponent(match[2])] : undefined;
}

/** PutObject and CompleteMultipartUpload are the writes S3 conditions on If-None-Match and If-Match. */
function isConditionalWrite(req, url) {
  if (req.headers["if-none-match"] === undefined && req.headers["if-match"] === undefined) return false;
  if (req.method === "PUT") return !url.searchParams.has("partNumber") && !url.searchParams.has("uploadId");
  return req.method === "POST" && url.searchParams.has("uploadId");
}

function noSuchUpload(req, res, uploadId) {
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code>' +
    "<Message>The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.</Message>" +
    "<UploadId>" + escapeXml(uploadId) + "</UploadId><RequestId>s3-harness</RequestId></Error>";
  req.resume();
  req.on("end", () => {
    res.writeHead(404, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
}

(async () => {
  const s3rver = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port: backendPort } = await s3rver.run();

  const proxy = (req, res) => {
    const upstream = http.request(
      { host: "127.0.0.1", port: backendPort, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      if (res.headersSent) res.destroy(error);
      else {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(String(error));
      }
    });
    req.pipe(upstream);
  };

  const conditional = (req, res, url, object) => {
    if (!object || !isConditionalWrite(req, url)) return proxy(req, res);
    if (req.headers["if-match"] !== undefined) {
      // If-Match: the write goes ahead only while the object still has that ETag (read with a HEAD to the backend).
      const head = http.request({ host: "127.0.0.1", port: backendPort, method: "HEAD", path: req.url.split("?")[0] }, (headRes) => {
        headRes.resume();
        const current = headRes.statusCode === 200 ? headRes.headers.etag : undefined;
        if (current !== undefined && current === req.headers["if-match"]) return proxy(req, res);
        req.resume();
        req.on("end", () => preconditionFailed(res, object[0], object[1]));
      });
      head.on("error", (error) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(error));
      });
      head.end();
      return;
    }
    if (req.headers["if-none-match"] !== "*") {
      res.writeHead(501, { "content-type": "text/plain" });
      res.end("s3 harness: only If-None-Match: * and If-Match are supported on writes");
      return;
    }
    s3rver.store.existsObject(object[0], object[1]).then(
      (exists) => {
        if (!exists) return proxy(req, res);
        // Read the body first: answering mid-upload makes clients see EPIPE instead of the 412.
        req.resume();
        req.on("end", () => preconditionFailed(res, object[0], object[1]));
      },
      (error) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(error));
      },
    );
  };

  const front = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://front");
    const object = objectOf(url);
    const uploadId = url.searchParams.get("uploadId");
    if (!object || uploadId === null || !/^[0-9a-f]+$/.test(uploadId)) return conditional(req, res, url, object);
    const uploadDir = path.join(s3rver.store.getResourcePath(object[0], undefined, "uploads"), uploadId);
    if (!fs.existsSync(uploadDir)) return noSuchUpload(req, res, uploadId);
    if (req.method !== "DELETE") return conditional(req, res, url, object);
    fs.rmSync(uploadDir, { recursive: true, force: true });
    req.resume();
    res.writeHead(204);
    res.end();
  });
  front.listen(0, "127.0.0.1", () => {
    process.stdout.write("S3_HARNESS_READY " + front.address().port + "\n");
  });

  const shutdown = () => {
    front.close();
    front.closeAllConnections();
    s3rver.close().finally(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
`;

function tail(text: string): string {
  return text.length > OUTPUT_TAIL_CHARS ? `…${text.slice(-OUTPUT_TAIL_CHARS)}` : text;
}

/** Do not let the child or its pipes keep the parent's event loop alive. */
function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    if (stream instanceof Socket) stream.unref();
  }
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function waitForPort(child: ChildProcess, signal: AbortSignal | undefined, output: () => string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let stdout = "";
    let settled = false;
    const finish = (error: Error | undefined, port = 0): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      child.off("exit", onExit);
      child.off("error", onError);
      child.stdout?.off("data", onData);
      if (error) reject(error);
      else resolve(port);
    };
    const describe = (): string => `\n--- s3rver output ---\n${output() || "(empty)"}`;
    const timer = setTimeout(() => finish(new Error(`s3rver did not start within ${STARTUP_TIMEOUT_MS} ms.${describe()}`)), STARTUP_TIMEOUT_MS);
    const onAbort = (): void => finish(signal?.reason instanceof Error ? signal.reason : new Error("s3rver start aborted"));
    const onExit = (code: number | null, sig: NodeJS.Signals | null): void =>
      finish(new Error(`s3rver exited during startup (code ${code ?? "null"}, signal ${sig ?? "none"}).${describe()}`));
    const onError = (error: Error): void => finish(new Error(`Failed to spawn s3rver: ${error.message}`, { cause: error }));
    const onData = (chunk: string): void => {
      stdout += chunk;
      const match = READY_LINE.exec(stdout);
      if (match?.[1]) finish(undefined, Number(match[1]));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    child.once("exit", onExit);
    child.once("error", onError);
    child.stdout?.on("data", onData);
  });
}

export async function startS3(options: S3HarnessOptions = {}): Promise<S3Harness> {
  const { signal } = options;
  signal?.throwIfAborted();
  const directory = await mkdtemp(join(tmpdir(), "s3rver-"));
  const s3rverModule = createRequire(import.meta.url).resolve("s3rver");
  const child = spawn(process.execPath, ["--openssl-legacy-provider", "-e", CHILD_SCRIPT], {
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
    env: {
      ...process.env,
      // A parent's NODE_OPTIONS (vitest, tsx loaders) has no business in the child.
      NODE_OPTIONS: "",
      S3_HARNESS_S3RVER: s3rverModule,
      S3_HARNESS_CONFIG: JSON.stringify({ directory, buckets: options.buckets ?? [] }),
    },
  });
  const killOnParentExit = (): void => {
    child.kill("SIGKILL");
  };
  process.on("exit", killOnParentExit);

  let output = "";
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    output = tail(output + chunk);
  });
  child.stderr?.on("data", (chunk: string) => {
    output = tail(output + chunk);
  });

  let shared: S3Client | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      shared?.destroy();
      const exited = waitForExit(child);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const escalate = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        await exited;
        clearTimeout(escalate);
      }
      process.off("exit", killOnParentExit);
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
      await rm(directory, { recursive: true, force: true });
    })();
    return stopping;
  };

  let port: number;
  try {
    port = await waitForPort(child, signal, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  unrefChild(child);

  const endpoint = `http://${HOST}:${port}`;
  const clientConfig = s3ClientConfig(endpoint);
  const client = (): S3Client => {
    shared ??= new S3Client(clientConfig);
    return shared;
  };

  return {
    endpoint,
    directory,
    clientConfig,
    env: s3Env(endpoint),
    client,
    stop,
    async bucket(name) {
      const s3 = client();
      try {
        await s3.send(new CreateBucketCommand({ Bucket: name }));
      } catch (error) {
        // Idempotent: s3rver answers 409 for a bucket that already exists.
        if (!(error instanceof Error) || !/BucketAlready/.test(error.name)) throw error;
      }
      return bucketHandle(s3, name);
    },
  };
}

function bucketHandle(s3: S3Client, name: string): S3Bucket {
  return {
    name,
    async getBytes(key) {
      const response = await s3.send(new GetObjectCommand({ Bucket: name, Key: key }));
      if (response.Body === undefined) throw new Error(`s3://${name}/${key}: no body`);
      return Buffer.from(await response.Body.transformToByteArray());
    },
    async exists(key) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: name, Key: key }));
        return true;
      } catch (error) {
        if (error instanceof NotFound) return false;
        throw error;
      }
    },
    async keys(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: name, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys;
    },
  };
}
