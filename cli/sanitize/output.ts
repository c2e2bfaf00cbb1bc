import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { finished } from "node:stream/promises";
import { CliError } from "../errors.js";

/** Where sanitized lines go: written with backpressure, then committed, or aborted leaving nothing behind. */
export interface LineOutput {
  write(chunk: Uint8Array | string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** `-` is the command's stdout; a path is written under a temporary name beside it and renamed once complete. */
export async function openLineOutput(out: string, stdout: NodeJS.WritableStream): Promise<LineOutput> {
  if (out === "-") {
    const write = backpressureWriter(stdout);
    // stdout belongs to the caller: it is neither ended nor closed here.
    return {
      write: (chunk) =>
        write(chunk).catch((error: unknown) => {
          // The reader went away (`| head`): stop like other Unix tools, with SIGPIPE's exit status instead of a stack trace.
          if (errorCode(error) === "EPIPE") throw new CliError("stdout was closed before the end of the input; stopped", 141);
          throw error;
        }),
      commit: async () => undefined,
      abort: async () => undefined,
    };
  }
  const target = resolve(out);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.partial`);
  const handle = await open(temporary, "wx").catch((error: unknown) => {
    throw new CliError(`--out ${out}: cannot create a file in ${dirname(target)} (${errorCode(error)})`);
  });
  const stream = handle.createWriteStream();
  const write = backpressureWriter(stream);
  return {
    write,
    commit: async () => {
      stream.end();
      await finished(stream);
      await rename(temporary, target);
    },
    abort: async () => {
      stream.destroy();
      await rm(temporary, { force: true });
    },
  };
}

/** A stream error fails the next write instead of being thrown as an uncaught 'error' event. */
function backpressureWriter(stream: NodeJS.WritableStream): (chunk: Uint8Array | string) => Promise<void> {
  let failure: unknown;
  stream.on("error", (error) => (failure ??= error));
  return async (chunk) => {
    if (failure !== undefined) throw failure;
    if (!stream.write(chunk)) await once(stream, "drain");
  };
}

export function errorCode(error: unknown): string {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : String(error);
}
