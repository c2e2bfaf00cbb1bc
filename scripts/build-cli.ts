import { rm } from "node:fs/promises";
import { build, type Metafile } from "esbuild";
import { NODE_ESM } from "./node-esm.js";

export const CLI_OUT = "dist/cli";

/**
 * Each program of package.json's `bin` (bin/<name>.mjs runs dist/cli/<name>.mjs), plus the sanitize worker thread:
 * cli/sanitize/pool.ts starts `./worker-entry.mjs` beside its own module, which in the bundle is this compiled twin
 * of cli/sanitize/worker-entry.mjs (that one registers tsx for runs from source).
 */
export const CLI_ENTRIES = {
  logexport: "cli/main.ts",
  "export-access-logs": "cli/access-logs.ts",
  "export-content-logs": "cli/content-logs.ts",
  "upload-parquet": "cli/upload-parquet.ts",
  "worker-entry": "cli/sanitize/worker.ts",
} as const;

/**
 * Compiles the CLIs into `outdir`. Commands load on demand (cli/main.ts), so each becomes its own chunk and
 * `logexport --help` loads about 3 kB. Chunks stay beside the entries: the worker URL above is relative.
 */
export async function buildCli(outdir: string = CLI_OUT): Promise<Metafile> {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({ ...NODE_ESM, entryPoints: CLI_ENTRIES, outdir, splitting: true, chunkNames: "[name]-[hash]", metafile: true });
  return result.metafile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const metafile = await buildCli();
  process.stdout.write(
    `built ${Object.keys(CLI_ENTRIES).length - 1} CLIs into ${CLI_OUT}/ (${Object.keys(metafile.outputs).filter((f) => f.endsWith(".mjs")).length} modules)\n`,
  );
}
