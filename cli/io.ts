import type { Environment } from "../shared/settings/env.js";

/** What a command may touch: streams, environment and clock are passed in, so commands are testable functions. */
export interface CommandIO {
  /** Absent when a command is not given any input stream; main.ts passes process.stdin. */
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: Environment;
  readonly now: () => number;
  /** Aborted on Ctrl-C: long commands stop taking new work and say how to resume. */
  readonly signal?: AbortSignal;
}
