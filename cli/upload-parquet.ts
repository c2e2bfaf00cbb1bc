import { processIO, runMain } from "./run.js";

/** `upload-parquet`: one checked Parquet file to S3 or an S3-compatible store. */
runMain("upload-parquet", async () => (await import("./commands/upload-parquet.js")).uploadParquetCommand(process.argv.slice(2), processIO()));
