/**
 * `logexport upload`: any file to S3 (s3rver) or Blob Storage (Azurite) — through a connection string or the
 * URL's own SAS token, which never appears in the output.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient, ContainerSASPermissions } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uploadCommand } from "../../cli/commands/upload.js";
import { capturedIO } from "../helpers/cli-io.js";
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

  it("refuses a Parquet file that is not one, a plain-http blob URL without credentials, and a connection string flag", async () => {
    const broken = join(dir, "broken.parquet");
    await writeFile(broken, "PAR1 not really");
    await expect(uploadCommand(["--source", broken, "--destination", "s3://observability/x.parquet", "--s3-endpoint-url", s3.endpoint], capturedIO())).rejects.toThrow(/is not a readable Parquet file/);
    await expect(uploadCommand(["--source", source, "--destination", `${inject("azuriteBlobUrl")}/somecontainer/x.jsonl`], capturedIO())).rejects.toThrow(/needs a SAS token or AZURE_STORAGE_CONNECTION_STRING/);
    await expect(uploadCommand(["--source", source, "--destination", "s3://observability/x", "--connection-string", "x"], capturedIO())).rejects.toThrow();
  });
});
