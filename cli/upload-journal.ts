import { createHash } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { PartUploadState, RecordedPart, UploadJournal } from "../shared/sinks/s3/resumable-upload.js";
import { CliError } from "./errors.js";

/**
 * The sidecar beside the source file that lets `logexport upload` resume an S3 upload: hidden, named after the
 * file and a hash of the destination (one per source and destination). Beside the source rather than in a temp
 * directory so it survives a reboot and is found by the same command from any working directory; the source's
 * size and mtime are inside it, so a changed file is noticed and its stale upload aborted.
 */
export function sidecarPath(file: string, destination: string): string {
  const tag = createHash("sha256").update(destination).digest("hex").slice(0, 12);
  return join(dirname(file), `.${basename(file)}.${tag}.upload.json`);
}

function isPart(value: unknown): value is RecordedPart {
  if (typeof value !== "object" || value === null) return false;
  const part = value as Record<string, unknown>;
  return Number.isSafeInteger(part.partNumber) && typeof part.etag === "string" && typeof part.sha256 === "string" && Number.isSafeInteger(part.bytes);
}

function isState(value: unknown): value is PartUploadState {
  if (typeof value !== "object" || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    state.version === 1 &&
    typeof state.bucket === "string" &&
    typeof state.key === "string" &&
    typeof state.uploadId === "string" &&
    Number.isSafeInteger(state.partSizeBytes) &&
    Number.isSafeInteger(state.sourceSizeBytes) &&
    typeof state.sourceModifiedMs === "number" &&
    Array.isArray(state.parts) &&
    state.parts.every(isPart)
  );
}

export function sidecarJournal(path: string): UploadJournal {
  return {
    async load() {
      const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw error;
      });
      if (text === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      // A sidecar that is not one of ours (hand-edited, truncated) is reported, never trusted.
      if (!isState(parsed)) throw new CliError(`${path} is not an upload state this version wrote: delete it to start over`);
      return parsed;
    },
    async save(state) {
      // Written aside and renamed, so a crash mid-write leaves the previous state, never half a file.
      const next = `${path}.${process.pid}.tmp`;
      try {
        await writeFile(next, `${JSON.stringify(state, null, 1)}\n`);
        await rename(next, path);
      } catch (error) {
        throw new CliError(
          `cannot write ${path}, the state that lets a failed upload resume (${(error as NodeJS.ErrnoException).code ?? String(error)}): the source's folder must be writable`,
          1,
        );
      }
    },
    async clear() {
      await rm(path, { force: true });
    },
  };
}
