import { ConfigurationError, LogExportError } from "../shared/core/errors.js";
import { backfillCommand } from "./commands/backfill.js";
import { exportCommand } from "./commands/export.js";
import { statusCommand } from "./commands/status.js";
import { CliError } from "./errors.js";
import type { CommandIO } from "./io.js";

const COMMANDS: Readonly<Record<string, (argv: readonly string[], io: CommandIO) => Promise<number>>> = {
  export: exportCommand,
  backfill: backfillCommand,
  status: statusCommand,
};

const HELP = `usage: logexport <command> [flags]

commands:
  export     export Log Analytics tables over a time range to a directory or Blob container
  backfill   export a range into the deployment's containers from this machine (resumable, --dry-run)
  status     coverage per table and day: exported, in progress, failed, missing

Run "logexport <command> --help" for the flags of a command.
`;

/** The only place that reads argv and sets the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "help") {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) throw new CliError(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
  const interrupt = new AbortController();
  // First Ctrl-C: finish what is under way and stop; a second one exits at once.
  process.once("SIGINT", () => {
    process.stderr.write("\nstopping after the windows under way (Ctrl-C again to quit now)…\n");
    interrupt.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  return run(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, now: () => Date.now(), signal: interrupt.signal });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError || error instanceof ConfigurationError) {
      process.stderr.write(`logexport: ${error.message}\n`);
      process.exitCode = error instanceof CliError ? error.exitCode : 2;
    } else if (error instanceof LogExportError) {
      process.stderr.write(`\nlogexport: ${error.name}: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`\nlogexport: unexpected error (a bug, please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 70;
    }
  },
);
