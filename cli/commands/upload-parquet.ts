import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync } from "hyparquet";
import { parseFlags, stringFlag, usage, type FlagSpec } from "../args.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { fileTargetFlag, S3_FLAGS } from "../s3.js";
import { formatBytes, renderTable } from "../table.js";
import { uploadFile } from "../upload-file.js";

const FLAGS: readonly FlagSpec[] = [
  { name: "source", required: true, description: "the local Parquet file" },
  { name: "destination", required: true, description: "s3://bucket/key.parquet" },
  { name: "aws-region", default: "us-east-1", description: "AWS region" },
  ...S3_FLAGS,
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY =
  "Uploads one Parquet file to S3 or an S3-compatible store, after checking that it is a complete Parquet file; the object appears only when the whole upload succeeded. Keys come from the standard AWS chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile or a role). Exit codes: 0 done, 1 upload failed, 2 bad flags or file.";

/** Reads the footer: a truncated or foreign file fails here, before anything is sent. */
export async function parquetRows(file: string): Promise<number> {
  try {
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
    return Number(metadata.num_rows);
  } catch (error) {
    throw new CliError(`--source ${file} is not a readable Parquet file (${error instanceof Error ? error.message : String(error)})`);
  }
}

export async function uploadParquetCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("upload-parquet", SUMMARY, FLAGS).replace("logexport upload-parquet", "upload-parquet"));
    return 0;
  }
  const flags = parseFlags(argv, FLAGS);
  const file = resolve(stringFlag(flags, "source") ?? "");
  const destination = stringFlag(flags, "destination") ?? "";
  if (!destination.startsWith("s3://")) throw new CliError(`--destination must be s3://bucket/key, got ${JSON.stringify(destination)}`);
  const target = fileTargetFlag(flags, "destination", stringFlag(flags, "aws-region") ?? "us-east-1");
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) throw new CliError(`--source ${file} is not a file`);
  const rows = await parquetRows(file);
  const stored = await uploadFile(file, info.size, target, { contentType: "application/vnd.apache.parquet", metadata: { rows: String(rows) } }, io);
  io.stdout.write(
    `${renderTable([
      ["destination", "rows", "bytes", "sha256"],
      [destination, rows, formatBytes(stored.bytes), stored.sha256],
    ])}\n`,
  );
  return 0;
}
