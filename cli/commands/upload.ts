import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { ConfigurationError } from "../../shared/core/errors.js";
import { openBlobFileTarget } from "../../shared/wiring/blob-target.js";
import { parseFlags, stringFlag, usage, type FlagSpec } from "../args.js";
import { connectionStringOf } from "../common.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { fileTargetFlag, S3_FLAGS } from "../s3.js";
import { formatBytes, renderTable } from "../table.js";
import { uploadFile } from "../upload-file.js";
import { sidecarJournal, sidecarPath } from "../upload-journal.js";
import { parquetRows } from "./upload-parquet.js";

const FLAGS: readonly FlagSpec[] = [
  { name: "source", required: true, description: "the local file: JSON Lines (.jsonl, .jsonl.gz), Parquet, or anything else" },
  {
    name: "destination",
    required: true,
    description:
      "s3://bucket/key, or https://<account>.blob.core.windows.net/<container>/<name> (a SAS token in the URL is used, never shown); a name ending in / gets the file's name",
  },
  {
    name: "connection-string-file",
    description: "for a blob URL without SAS: a file holding the storage connection string (default: $AZURE_STORAGE_CONNECTION_STRING, else your Azure login)",
  },
  { name: "connection-string", description: "refused: a connection string on the command line shows in process listings (use the variable or the file)" },
  {
    name: "restart",
    boolean: true,
    description:
      "s3:// only: abort the unfinished multipart upload an earlier failed run of this file to this destination left, and start over (without it a rerun resumes it)",
  },
  { name: "aws-region", default: "us-east-1", description: "AWS region" },
  ...S3_FLAGS,
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY =
  "Uploads one file to S3 or Azure Blob Storage (seed 002's last step: the sanitized JSON Lines); a Parquet file's footer is checked first. The object appears only when the whole upload succeeded; after a failure, running the same command again resumes it (Blob: staged blocks; S3: the parts a sidecar file beside the source records). Exit codes: 0 done, 1 upload failed, 2 bad flags or file.";

const CONTENT_TYPES: readonly (readonly [RegExp, string])[] = [
  [/\.parquet$/i, "application/vnd.apache.parquet"],
  [/\.jsonl\.gz$|\.ndjson\.gz$|\.gz$/i, "application/gzip"],
  [/\.jsonl$|\.ndjson$/i, "application/x-ndjson"],
  [/\.json$/i, "application/json"],
  [/\.csv$/i, "text/csv"],
  [/\.(txt|log)$/i, "text/plain"],
];

export async function uploadCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("upload", SUMMARY, FLAGS));
    return 0;
  }
  const flags = parseFlags(argv, FLAGS);
  const file = resolve(stringFlag(flags, "source") ?? "");
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) throw new CliError(`--source ${file} is not a file`);
  const given = stringFlag(flags, "destination") ?? "";
  const destination = given.endsWith("/") || /^[^?]*\/\?/.test(given) ? given.replace(/\/(\?|$)/, `/${basename(file)}$1`) : given;
  const isBlob = /^https?:\/\//i.test(destination);
  const restart = flags.restart === true;
  if (isBlob && restart)
    throw new CliError(
      "--restart applies to s3:// destinations: a blob upload reuses only staged blocks whose ids name their bytes, so there is nothing stale to abort",
    );
  const target = isBlob ? blobTarget(destination, flags, io) : s3Target(destination, flags);
  const contentType = CONTENT_TYPES.find(([pattern]) => pattern.test(file))?.[1] ?? "application/octet-stream";
  const rows = contentType === "application/vnd.apache.parquet" ? await parquetRows(file) : undefined;
  const resume = isBlob ? undefined : { journal: sidecarJournal(sidecarPath(file, destination)), restart };
  const stored = await uploadFile(file, info.size, target, { contentType, metadata: rows === undefined ? undefined : { rows: String(rows) }, resume }, io);
  if (stored.reused !== undefined && stored.reused > 0) {
    io.stderr.write(
      isBlob
        ? `resumed: ${stored.reused} of ${stored.pieces} blocks were staged by an earlier attempt and not sent again\n`
        : `resumed: ${stored.reused} of ${stored.pieces} parts were uploaded by an earlier attempt and not sent again\n`,
    );
  }
  io.stdout.write(
    `${renderTable([
      ["destination", "content type", "bytes", "sha256"],
      [target.shown, contentType, formatBytes(stored.bytes), stored.sha256],
    ])}\n`,
  );
  return 0;
}

function s3Target(destination: string, flags: ReturnType<typeof parseFlags>) {
  if (!destination.startsWith("s3://")) throw new CliError(`--destination must be s3://bucket/key or a blob URL, got ${JSON.stringify(destination)}`);
  return fileTargetFlag({ ...flags, destination }, "destination", stringFlag(flags, "aws-region") ?? "us-east-1");
}

function blobTarget(destination: string, flags: ReturnType<typeof parseFlags>, io: CommandIO) {
  try {
    return openBlobFileTarget(destination, "--destination", connectionStringOf(flags, io));
  } catch (error) {
    if (error instanceof ConfigurationError) throw new CliError(error.message);
    throw error;
  }
}
