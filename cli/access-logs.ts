import { processIO, runMain } from "./run.js";

/** `export-access-logs`: the seed's command name, over the AWS export engine. */
runMain("export-access-logs", async () => (await import("./commands/export-access-logs.js")).exportAccessLogsCommand(process.argv.slice(2), processIO()));
