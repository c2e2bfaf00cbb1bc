/**
 * `logexport upload`: any file to S3 (s3rver) or Blob Storage (Azurite) — through a connection string or the
 * URL's own SAS token, which never appears in the output.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BlobServiceClient, ContainerSASPermissions } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uploadCommand } from "../../cli/commands/upload.js";
import { capturedIO } from "../helpers/cli-io.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
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
    expect(await uploadCommand(["--source", source, "--destination", "s3://observability/raw-logs/2024-12-15/", "--s3-endpoint-url", s3.endpoint], cli)).toBe(0);
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
      const sas = new URL(await target.generateSasUrl({ permissions: ContainerSASPermissions.parse("rcw"), expiresOn: new Date(Date.now() + 3_600_000) })).search.slice(1);
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
      await expect(uploadCommand(["--source", big, "--destination", url], first)).rejects.toMatchObject({ message: "interrupted: nothing was uploaded", exitCode: 130 });
      expect(await blob.exists()).toBe(false);
      expect(await staged()).toBe(2);

      const sent = proxy.requests.length;
      const second = capturedIO();
      expect(await uploadCommand(["--source", big, "--destination", url], second)).toBe(0);
      const rerun = proxy.requests.slice(sent).filter((r) => r.method === "PUT").map((r) => new URL(r.path, proxy.url).searchParams.get("comp"));
      expect(rerun).toEqual(["block", "blocklist"]);
      expect(second.err()).toContain("resumed: 2 of 3 blocks were staged by an earlier attempt and not sent again");
      expect(second.out()).toContain(createHash("sha256").update(bytes).digest("hex"));
      expect((await blob.downloadToBuffer()).equals(bytes)).toBe(true);
      expect(await staged()).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it("leaves no object and no multipart upload behind when an S3 upload fails mid-way (a rerun starts over)", async () => {
    const big = join(dir, "big.bin");
    const bytes = randomBytes(11 * 1024 * 1024); // three 5 MiB parts
    await writeFile(big, bytes);
    const proxy = await startFaultProxy(s3.endpoint);
    try {
      proxy.inject({ kind: "status", status: 500, match: { method: "PUT", path: /partNumber=2/ }, times: 10 });
      await expect(uploadCommand(["--source", big, "--destination", "s3://observability/resumable/big.bin", "--s3-endpoint-url", proxy.url], capturedIO())).rejects.toThrow(/big\.bin/);
      expect(await (await s3.bucket("observability")).keys()).not.toContain("resumable/big.bin");
      expect(proxy.requests.filter((r) => r.method === "DELETE" && /uploadId=/.test(r.path))).toHaveLength(1);
      proxy.clear();
      expect(await uploadCommand(["--source", big, "--destination", "s3://observability/resumable/big.bin", "--s3-endpoint-url", proxy.url], capturedIO())).toBe(0);
      expect((await (await s3.bucket("observability")).getBytes("resumable/big.bin")).equals(bytes)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it("refuses a Parquet file that is not one, a plain-http blob URL without credentials, and a connection string flag", async () => {
    const broken = join(dir, "broken.parquet");
    await writeFile(broken, "PAR1 not really");
    await expect(uploadCommand(["--source", broken, "--destination", "s3://observability/x.parquet", "--s3-endpoint-url", s3.endpoint], capturedIO())).rejects.toThrow(/is not a readable Parquet file/);
    await expect(uploadCommand(["--source", source, "--destination", `${inject("azuriteBlobUrl")}/somecontainer/x.jsonl`], capturedIO())).rejects.toThrow(/needs a SAS token or AZURE_STORAGE_CONNECTION_STRING/);
    await expect(uploadCommand(["--source", source, "--destination", "s3://observability/x", "--connection-string", "x"], capturedIO())).rejects.toThrow();
  });
});
