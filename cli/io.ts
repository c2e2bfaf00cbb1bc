import type { Environment } from "../shared/settings/env.js";

/** What a command may touch: streams, environment and clock are passed in, so commands are testable functions. */
export interface CommandIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: Environment;
  readonly now: () => number;
}
