import { processIO, runMain } from "./run.js";

/** `export-content-logs`: content-app download logs of one content type, over the AWS export engine. */
runMain("export-content-logs", async () => (await import("./commands/export-content-logs.js")).exportContentLogsCommand(process.argv.slice(2), processIO()));
