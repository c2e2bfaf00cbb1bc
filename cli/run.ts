import { ConfigurationError, LogExportError } from "../shared/core/errors.js";
import { CliError } from "./errors.js";
import type { CommandIO } from "./io.js";

export type Command = (argv: readonly string[], io: CommandIO) => Promise<number>;

/** The process's own streams, environment and clock, with Ctrl-C as an abort signal. */
export function processIO(): CommandIO {
  const interrupt = new AbortController();
  // First Ctrl-C: finish what is under way and stop; a second one exits at once.
  process.once("SIGINT", () => {
    process.stderr.write("\nstopping after the work under way (Ctrl-C again to quit now)…\n");
    interrupt.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, now: () => Date.now(), signal: interrupt.signal };
}

/**
 * The only place a program sets its exit code: usage and configuration
 * errors print one line (exit 2), export failures one line (exit 1), and
 * anything else is a bug, printed in full (exit 70).
 */
export function runMain(program: string, run: () => Promise<number>): void {
  run().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof CliError || error instanceof ConfigurationError) {
        process.stderr.write(`${program}: ${error.message}\n`);
        process.exitCode = error instanceof CliError ? error.exitCode : 2;
      } else if (error instanceof LogExportError) {
        process.stderr.write(`\n${program}: ${error.name}: ${error.message}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(
          `\n${program}: unexpected error (a bug, please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        process.exitCode = 70;
      }
    },
  );
}
