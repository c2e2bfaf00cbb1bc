import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sidecarJournal, sidecarPath } from "../../../cli/upload-journal.js";
import type { PartUploadState } from "../../../shared/sinks/s3/resumable-upload.js";

const STATE: PartUploadState = {
  version: 1,
  bucket: "observability",
  key: "raw/big.bin",
  uploadId: "0123abcd",
  partSizeBytes: 5 * 1024 * 1024,
  sourceSizeBytes: 11 * 1024 * 1024,
  sourceModifiedMs: 1_700_000_000_000.25,
  parts: [{ partNumber: 1, etag: '"9e107d9d372bb6826bd81d3542a419d6"', sha256: "a".repeat(64), bytes: 5 * 1024 * 1024 }],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "upload-journal-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the upload sidecar", () => {
  it("sits beside the source, hidden, one per destination", () => {
    const a = sidecarPath("/data/clean.jsonl", "s3://b/one.jsonl");
    expect(a).toMatch(/^\/data\/\.clean\.jsonl\.[0-9a-f]{12}\.upload\.json$/);
    expect(sidecarPath("/data/clean.jsonl", "s3://b/two.jsonl")).not.toBe(a);
    expect(sidecarPath("/data/clean.jsonl", "s3://b/one.jsonl")).toBe(a);
  });

  it("round-trips a state, leaves no temporary file, and is gone after clear", async () => {
    const path = join(dir, ".x.upload.json");
    const journal = sidecarJournal(path);
    expect(await journal.load()).toBeUndefined();
    await journal.save(STATE);
    expect(await journal.load()).toEqual(STATE);
    expect(await readdir(dir)).toEqual([".x.upload.json"]);
    await journal.clear();
    expect(await journal.load()).toBeUndefined();
  });

  it("refuses a sidecar it did not write, naming it", async () => {
    for (const text of ["{", JSON.stringify({ ...STATE, version: 2 }), JSON.stringify({ ...STATE, parts: [{ partNumber: 1 }] })]) {
      const path = join(dir, ".bad.upload.json");
      await writeFile(path, text);
      await expect(sidecarJournal(path).load()).rejects.toMatchObject({
        name: "CliError",
        message: `${path} is not an upload state this version wrote: delete it to start over`,
      });
    }
  });
});
