import { PassThrough } from "node:stream";
import type { CommandIO } from "../../cli/io.js";

export interface CapturedIO extends CommandIO {
  out(): string;
  err(): string;
}

export interface CapturedIOOptions {
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  /** Called with every chunk written to stderr (progress lines), e.g. to interrupt after N windows. */
  readonly onErr?: (text: string) => void;
}

/** A command's IO on in-memory streams (stderr is not a TTY, so progress prints whole lines). */
export function capturedIO(options: CapturedIOOptions = {}): CapturedIO {
  const stdout = new PassThrough();
  const stderrStream = new PassThrough();
  const stderr = Object.assign(stderrStream, { isTTY: false }) as unknown as NodeJS.WriteStream;
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderrStream.on("data", (c: Buffer) => {
    err += c.toString();
    options.onErr?.(c.toString());
  });
  const stdin = options.stdin === undefined ? undefined : new PassThrough().end(options.stdin);
  return { stdin, stdout, stderr, env: options.env ?? {}, now: options.now ?? (() => Date.now()), signal: options.signal, out: () => out, err: () => err };
}
