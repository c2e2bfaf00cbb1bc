import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { CliError } from "../errors.js";
import { errorCode } from "./output.js";

export interface LineInput {
  readonly chunks: AsyncIterable<Uint8Array | string>;
  /** Known for a file, so the command can pick a thread count; undefined for a stream. */
  readonly sizeBytes: number | undefined;
  /** Releases a file that was opened but not read to its end; the caller's stdin is left alone. */
  close(): void;
}

/** `-` is the command's stdin; a path must be a readable regular file. */
export async function openLineInput(path: string, stdin: NodeJS.ReadableStream | undefined): Promise<LineInput> {
  if (path === "-") {
    if (stdin === undefined) throw new CliError("--in -: this command was given no standard input");
    return { chunks: stdin, sizeBytes: undefined, close: () => undefined };
  }
  const info = await stat(path).catch((error: unknown) => {
    throw new CliError(`--in ${path}: cannot read it (${errorCode(error)})`);
  });
  if (!info.isFile()) throw new CliError(`--in ${path}: not a regular file`);
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return { chunks: stream, sizeBytes: info.size, close: () => stream.destroy() };
}
