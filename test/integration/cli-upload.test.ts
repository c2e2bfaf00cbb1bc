/**
 * `logexport upload`: any file to S3 (s3rver) or Blob Storage (Azurite) — through a connection string or the
 * URL's own SAS token, which never appears in the output — and resumed after a failure injected mid-upload.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AbortMultipartUploadCommand } from "@aws-sdk/client-s3";
import { BlobServiceClient, ContainerSASPermissions } from "@azure/storage-blob";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { uploadCommand } from "../../cli/commands/upload.js";
import { sidecarPath } from "../../cli/upload-journal.js";
import { capturedIO } from "../helpers/cli-io.js";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import { startS3, type S3Harness } from "../helpers/s3.js";
import { uniqueName } from "../helpers/storage.js";

const LINES = `${Array.from({ length: 2_000 }, (_, i) => JSON.stringify({ timestamp: new Date(Date.UTC(2024, 11, 15) + i).toISOString(), service: "payment-service", message: `[REDACTED:email] request ${i}` })).join("\n")}\n`;
let dir: string;
let source: string;
let s3: S3Harness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "logexport-upload-"));
  source = join(dir, "sanitized_logs.jsonl");
  await writeFile(source, LINES);
  s3 = await startS3({ buckets: ["observability"] });
  // The AWS SDK's default chain reads the process environment (keys never come from flags).
  const { AWS_ENDPOINT_URL_S3: _endpoint, ...env } = s3.env;
  Object.assign(process.env, env);
}, 60_000);
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

function container() {
  return BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(uniqueName("upload"));
}

describe("logexport upload", () => {
  it("uploads JSON Lines to S3, a destination ending in / taking the file's name", async () => {
    const cli = capturedIO();
    expect(await uploadCommand(["--source", source, "--destination", "s3://observability/raw-logs/2024-12-15/", "--s3-endpoint-url", s3.endpoint], cli)).toBe(
      0,
    );
    expect(cli.out()).toMatch(/s3:\/\/observability\/raw-logs\/2024-12-15\/sanitized_logs\.jsonl +application\/x-ndjson/);
    expect((await (await s3.bucket("observability")).getBytes("raw-logs/2024-12-15/sanitized_logs.jsonl")).toString()).toBe(LINES);
  });

  it("uploads to a blob URL with the connection string from the environment", async () => {
    const target = container();
    await target.create();
    const url = `${inject("azuriteBlobUrl")}/${target.containerName}/raw-logs/2024-12-15/sanitized_logs.jsonl`;
    const cli = capturedIO({ env: { AZURE_STORAGE_CONNECTION_STRING: inject("azuriteConnectionString") } });
    expect(await uploadCommand(["--source", source, "--destination", url], cli)).toBe(0);
    const blob = target.getBlobClient("raw-logs/2024-12-15/sanitized_logs.jsonl");
    expect((await blob.downloadToBuffer()).toString()).toBe(LINES);
    expect((await blob.getProperties()).contentType).toBe("application/x-ndjson");
  });

  it("uploads through a SAS URL alone, and the token is in no line it prints", async () => {
    const target = container();
    await target.create();
    const sasUrl = await target.generateSasUrl({ permissions: ContainerSASPermissions.parse("rcw"), expiresOn: new Date(Date.now() + 3_600_000) });
    const sas = new URL(sasUrl).search;
    const url = `${target.url}/seed-002/?${sas.slice(1)}`;
    const cli = capturedIO();
    expect(await uploadCommand(["--source", source, "--destination", url], cli)).toBe(0);
    expect((await target.getBlobClient("seed-002/sanitized_logs.jsonl").downloadToBuffer()).toString()).toBe(LINES);
    expect(cli.out()).toContain(`${target.url}/seed-002/sanitized_logs.jsonl`);
    const signature = new URLSearchParams(sas).get("sig") ?? "";
    expect(signature).not.toBe("");
    for (const text of [cli.out(), cli.err()]) {
      expect(text).not.toContain(signature);
      expect(text).not.toContain(encodeURIComponent(signature));
      expect(text).not.toMatch(/sig=/);
    }
  });

  it("resumes a Blob upload that failed mid-way: nothing visible after the failure, and the rerun sends only the missing block", async () => {
    const target = container();
    await target.create();
    const big = join(dir, "big.jsonl");
    const bytes = randomBytes(10 * 1024 * 1024 + 12_345); // three 4 MiB blocks, the last one short
    await writeFile(big, bytes);
    const blob = target.getBlockBlobClient("resumable/big.jsonl");
    const staged = async () => (await blob.getBlockList("uncommitted").catch(() => ({ uncommittedBlocks: [] }))).uncommittedBlocks?.length ?? 0;
    const proxy = await startFaultProxy(new URL(target.url).origin);
    try {
      const sas = new URL(
        await target.generateSasUrl({ permissions: ContainerSASPermissions.parse("rcw"), expiresOn: new Date(Date.now() + 3_600_000) }),
      ).search.slice(1);
      const url = `${proxy.url}${new URL(target.url).pathname}/resumable/big.jsonl?${sas}`;
      const stop = new AbortController();
      // The third block never arrives: once the first two are staged, the user interrupts (the connection drops with it).
      proxy.inject({
        kind: "hook",
        match: { method: "PUT", path: /comp=block(&|$)/ },
        skip: 2,
        run: async () => {
          for (let i = 0; i < 200 && (await staged()) < 2; i += 1) await sleep(50);
          stop.abort();
        },
      });
      const first = capturedIO({ signal: stop.signal });
      await expect(uploadCommand(["--source", big, "--destination", url], first)).rejects.toMatchObject({
        message: "interrupted: nothing was uploaded",
        exitCode: 130,
      });
      expect(await blob.exists()).toBe(false);
      expect(await staged()).toBe(2);

      const sent = proxy.requests.length;
      const second = capturedIO();
      expect(await uploadCommand(["--source", big, "--destination", url], second)).toBe(0);
      const rerun = proxy.requests
        .slice(sent)
        .filter((r) => r.method === "PUT")
        .map((r) => new URL(r.path, proxy.url).searchParams.get("comp"));
      expect(rerun).toEqual(["block", "blocklist"]);
      expect(second.err()).toContain("resumed: 2 of 3 blocks were staged by an earlier attempt and not sent again");
      expect(second.out()).toContain(createHash("sha256").update(bytes).digest("hex"));
      expect((await blob.downloadToBuffer()).equals(bytes)).toBe(true);
      expect(await staged()).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  describe("resuming an S3 upload (three parts: 5 + 5 + 1 MiB)", () => {
    let proxy: FaultProxy;
    let key: string;
    let DESTINATION: string;
    let big: string;
    let bytes: Buffer;
    let sidecar: string;

    beforeEach(async () => {
      key = `resumable/${uniqueName("big")}.bin`;
      DESTINATION = `s3://observability/${key}`;
      big = join(dir, `big-${uniqueName("s3")}.bin`);
      bytes = randomBytes(11 * 1024 * 1024);
      await writeFile(big, bytes);
      sidecar = sidecarPath(big, DESTINATION);
      proxy = await startFaultProxy(s3.endpoint);
    });
    afterEach(async () => {
      await proxy.close();
    });

    const run = (io = capturedIO(), ...extra: string[]) =>
      uploadCommand(["--source", big, "--destination", DESTINATION, "--s3-endpoint-url", proxy.url, ...extra], io);
    const partNumber = (path: string) => Number(new URL(path, proxy.url).searchParams.get("partNumber"));
    /** The part numbers sent since request `from`, and those the store accepted. */
    const parts = (from = 0) => {
      const puts = proxy.requests.slice(from).filter((r) => r.method === "PUT" && /partNumber=/.test(r.path));
      return {
        sent: [...new Set(puts.map((r) => partNumber(r.path)))].sort(),
        stored: puts
          .filter((r) => r.status === 200)
          .map((r) => partNumber(r.path))
          .sort(),
      };
    };
    const uploadIdOf = async () => (JSON.parse(await readFile(sidecar, "utf8")) as { uploadId: string }).uploadId;

    /** Part 2 fails (500) past the SDK's retries: the run fails, resumable. */
    async function failOnPart2(): Promise<number[]> {
      proxy.inject({ kind: "status", status: 500, match: { method: "PUT", path: /partNumber=2&/ }, times: 10 });
      const first = capturedIO();
      const failure = await run(first).then(
        () => undefined,
        (error: unknown) => error,
      );
      proxy.clear();
      expect(failure).toMatchObject({ exitCode: 1 });
      const { message } = failure as Error;
      expect(message).toContain(`uploading part 2 of 3 of ${DESTINATION} failed (HTTP 500`);
      expect(message).toMatch(
        new RegExp(
          `nothing is visible at ${DESTINATION} yet; [12] of 3 parts are uploaded: re-run the same command to resume, or add --restart to abort the unfinished upload and start over$`,
        ),
      );
      expect(await (await s3.bucket("observability")).exists(key)).toBe(false);
      const { stored } = parts();
      expect(stored).not.toContain(2);
      expect(first.err()).toMatch(/\d{4}-\d\d-\d\dT\S+ 1\/3 parts 5\.0 MiB of 11\.0 MiB/);
      return stored;
    }

    it("fails on part 2 with nothing visible, and the rerun sends only the missing parts", async () => {
      const storedFirst = await failOnPart2();
      const mark = proxy.requests.length;
      const second = capturedIO();
      expect(await run(second)).toBe(0);
      const rerun = proxy.requests.slice(mark);
      expect(parts(mark).sent).toEqual([1, 2, 3].filter((n) => !storedFirst.includes(n)));
      expect(rerun.filter((r) => r.method === "POST").map((r) => new URL(r.path, proxy.url).searchParams.has("uploadId"))).toEqual([true]); // no new upload, one completion
      expect(second.err()).toContain(`resumed: ${storedFirst.length} of 3 parts were uploaded by an earlier attempt and not sent again`);
      expect(second.out()).toContain(createHash("sha256").update(bytes).digest("hex"));
      expect(
        createHash("sha256")
          .update(await (await s3.bucket("observability")).getBytes(key))
          .digest("hex"),
      ).toBe(createHash("sha256").update(bytes).digest("hex"));
      await expect(stat(sidecar)).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("starts over when the source changed, aborting the stale upload", async () => {
      await failOnPart2();
      const stale = await uploadIdOf();
      bytes = randomBytes(bytes.length + 1);
      await writeFile(big, bytes);
      const mark = proxy.requests.length;
      const second = capturedIO();
      expect(await run(second)).toBe(0);
      expect(second.err()).toContain(`aborted the unfinished upload ${stale} of ${DESTINATION} (the source file changed since; starting over)`);
      expect(
        proxy.requests
          .slice(mark)
          .filter((r) => r.method === "DELETE")
          .map((r) => [new URL(r.path, proxy.url).searchParams.get("uploadId"), r.status]),
      ).toEqual([[stale, 204]]);
      expect(parts(mark).sent).toEqual([1, 2, 3]);
      expect((await (await s3.bucket("observability")).getBytes(key)).equals(bytes)).toBe(true);
    });

    it("starts over when a recorded part's bytes changed under the same size and mtime", async () => {
      // Whole seconds, so the mtime set back after the edit is exactly the one recorded.
      await utimes(big, 1_700_000_000, 1_700_000_000);
      await failOnPart2();
      const stale = await uploadIdOf();
      bytes[100] = (bytes[100] ?? 0) ^ 0xff;
      await writeFile(big, bytes);
      await utimes(big, 1_700_000_000, 1_700_000_000);
      const mark = proxy.requests.length;
      const second = capturedIO();
      expect(await run(second)).toBe(0);
      expect(second.err()).toContain(`aborted the unfinished upload ${stale} of ${DESTINATION} (part 1 of the source file changed since; starting over)`);
      expect(parts(mark).sent).toEqual([1, 2, 3]);
      expect((await (await s3.bucket("observability")).getBytes(key)).equals(bytes)).toBe(true);
    });

    it("starts over when the store no longer knows the upload (NoSuchUpload)", async () => {
      await failOnPart2();
      const stale = await uploadIdOf();
      await s3.client().send(new AbortMultipartUploadCommand({ Bucket: "observability", Key: key, UploadId: stale }));
      const mark = proxy.requests.length;
      const second = capturedIO();
      expect(await run(second)).toBe(0);
      expect(second.err()).toContain(`the unfinished upload ${stale} of ${DESTINATION} is already gone (the store answers NoSuchUpload; starting over)`);
      expect(parts(mark).sent).toEqual([1, 2, 3]);
      expect((await (await s3.bucket("observability")).getBytes(key)).equals(bytes)).toBe(true);
    });

    it("--restart aborts the unfinished upload and sends every part again", async () => {
      await failOnPart2();
      const stale = await uploadIdOf();
      const mark = proxy.requests.length;
      const second = capturedIO();
      expect(await run(second, "--restart")).toBe(0);
      expect(second.err()).toContain(`aborted the unfinished upload ${stale} of ${DESTINATION} (--restart; starting over)`);
      expect(parts(mark).sent).toEqual([1, 2, 3]);
      await expect(s3.client().send(new AbortMultipartUploadCommand({ Bucket: "observability", Key: key, UploadId: stale }))).rejects.toMatchObject({
        name: "NoSuchUpload",
      });
      expect((await (await s3.bucket("observability")).getBytes(key)).equals(bytes)).toBe(true);
      await expect(stat(sidecar)).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("says how to resume when interrupted mid-upload, and the rerun finishes it", async () => {
      const stop = new AbortController();
      // Part 2 never arrives: the user presses Ctrl-C while it is on the way (the connection drops with it).
      proxy.inject({ kind: "hook", match: { method: "PUT", path: /partNumber=2&/ }, run: () => stop.abort() });
      await expect(run(capturedIO({ signal: stop.signal }))).rejects.toMatchObject({
        exitCode: 130,
        message: expect.stringMatching(
          new RegExp(`^interrupted: nothing is visible at ${DESTINATION} yet; [01] of 3 parts are uploaded: re-run the same command to resume`),
        ),
      });
      expect(await (await s3.bucket("observability")).exists(key)).toBe(false);
      const mark = proxy.requests.length;
      expect(await run()).toBe(0);
      expect(parts(mark).sent).toContain(2);
      expect((await (await s3.bucket("observability")).getBytes(key)).equals(bytes)).toBe(true);
    });

    it("refuses to start when the sidecar cannot be written, aborting the upload it created", async () => {
      // A folder where the sidecar is written aside (running as root, a read-only folder would not stop it).
      await mkdir(`${sidecar}.${process.pid}.tmp`);
      await expect(run()).rejects.toThrow(/the state that lets a failed upload resume \(EISDIR\): the source's folder must be writable/);
      expect(proxy.requests.map((r) => [r.method, r.status])).toEqual([
        ["POST", 200],
        ["DELETE", 204],
      ]);
    });

    it("sends a file of at most one part as a single PutObject, with no sidecar", async () => {
      expect(
        await uploadCommand(
          ["--source", source, "--destination", "s3://observability/small/sanitized_logs.jsonl", "--s3-endpoint-url", proxy.url],
          capturedIO(),
        ),
      ).toBe(0);
      expect(proxy.requests.map((r) => [r.method, new URL(r.path, proxy.url).search])).toEqual([["PUT", "?x-id=PutObject"]]);
      await expect(stat(sidecarPath(source, "s3://observability/small/sanitized_logs.jsonl"))).rejects.toMatchObject({ code: "ENOENT" });
    });
  });

  it("refuses --restart for a blob destination", async () => {
    await expect(
      uploadCommand(["--source", source, "--destination", `${inject("azuriteBlobUrl")}/somecontainer/x.jsonl`, "--restart"], capturedIO()),
    ).rejects.toThrow(/--restart applies to s3:\/\/ destinations/);
  });

  it("refuses a Parquet file that is not one, a plain-http blob URL without credentials, and a connection string flag", async () => {
    const broken = join(dir, "broken.parquet");
    await writeFile(broken, "PAR1 not really");
    await expect(
      uploadCommand(["--source", broken, "--destination", "s3://observability/x.parquet", "--s3-endpoint-url", s3.endpoint], capturedIO()),
    ).rejects.toThrow(/is not a readable Parquet file/);
    await expect(uploadCommand(["--source", source, "--destination", `${inject("azuriteBlobUrl")}/somecontainer/x.jsonl`], capturedIO())).rejects.toThrow(
      /needs a SAS token or AZURE_STORAGE_CONNECTION_STRING/,
    );
    await expect(uploadCommand(["--source", source, "--destination", "s3://observability/x", "--connection-string", "x"], capturedIO())).rejects.toThrow();
  });
});
