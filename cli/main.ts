import { CliError } from "./errors.js";
import { processIO, runMain, type Command } from "./run.js";

/** Each command loads only its own modules: the Azure SDKs behind export take ~0.7 s to load, longer than sanitize needs for a small file. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  export: async () => (await import("./commands/export.js")).exportCommand,
  backfill: async () => (await import("./commands/backfill.js")).backfillCommand,
  status: async () => (await import("./commands/status.js")).statusCommand,
  sanitize: async () => (await import("./commands/sanitize.js")).sanitizeCommand,
  "analyze-schema": async () => (await import("./commands/analyze-schema.js")).analyzeSchemaCommand,
  ddl: async () => (await import("./commands/ddl.js")).ddlCommand,
  upload: async () => (await import("./commands/upload.js")).uploadCommand,
};

const HELP = `usage: logexport <command> [flags]

commands:
  export           export Log Analytics tables over a time range to a directory or Blob container
  backfill         export a range into the deployment's containers from this machine (resumable, --dry-run)
  status           coverage per table and day: exported, in progress, failed, missing
  sanitize         remove PII and secrets from JSON Lines or text (file or stdin to file or stdout)
  analyze-schema   fields of a JSON Lines sample: types, fill rates, and which sanitizer rules touch them
  upload           upload one file (sanitized JSON Lines, Parquet, …) to S3 or Azure Blob Storage
  ddl              the CREATE TABLE (or view) that makes a table's Parquet archive queryable in DuckDB, Athena, Databricks or Synapse

Run "logexport <command> --help" for the flags of a command.
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "help") {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  const load = COMMANDS[command];
  if (load === undefined) throw new CliError(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
  const run = await load();
  return run(rest, processIO());
}

runMain("logexport", () => main(process.argv.slice(2)));
