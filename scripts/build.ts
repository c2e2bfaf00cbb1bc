import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { build, type BuildOptions, type Metafile } from "esbuild";
import { formatBytes, renderTable } from "../cli/table.js";
import { assertOnlyCloud } from "./bundle-clouds.js";
import { buildCli, CLI_OUT } from "./build-cli.js";
import { NODE_ESM } from "./node-esm.js";
import { measureBundle } from "./bundle-report.js";
import { zipSync, type Zippable } from "fflate";

const OUT = "dist/app";
const LAMBDA_OUT = "dist/lambda";
export const FUNCTIONS = ["planner", "worker", "backfill-worker", "backfill", "status", "coverage"] as const;

/** Bundles every function; shared code goes into chunks the entries import, so the package holds it once. */
export async function bundle(): Promise<Metafile> {
  await rm("dist", { recursive: true, force: true });
  await bundleLambda();
  const result = await build({
    ...NODE_ESM,
    entryPoints: Object.fromEntries(FUNCTIONS.map((name) => [`functions/${name}`, `functions/app/${name}.ts`])),
    outdir: OUT,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    // Provided by the Functions host at run time.
    external: ["@azure/functions-core"],
  });
  assertOnlyCloud(result.metafile, "Azure Functions", "aws");
  const pkg = JSON.parse(await readFile("package.json", "utf8")) as { version: string };
  await writeFile(
    `${OUT}/package.json`,
    `${JSON.stringify({ name: "logexport-functions", version: pkg.version, type: "module", main: "functions/*.mjs" }, null, 2)}\n`,
  );
  await writeFile(`${OUT}/host.json`, await readFile("host.json"));
  return result.metafile;
}

/** The AWS export's Lambda as one file, its credentials from the environment only (see lambda/credentials.ts). */
export const LAMBDA_BUILD: BuildOptions = {
  ...NODE_ESM,
  entryPoints: { index: "lambda/handler.ts" },
  alias: { "@aws-sdk/credential-provider-node": "./lambda/credentials.ts" },
};

async function bundleLambda(): Promise<void> {
  const result = await build({ ...LAMBDA_BUILD, outdir: LAMBDA_OUT, metafile: true });
  assertOnlyCloud(result.metafile, "Lambda", "azure");
}

const ZIP_TIME = new Date(Date.UTC(2020, 0, 1));

/** An entry's bytes plus every chunk it imports statically, directly or not: what a cold start loads (dynamic imports load later, if at all). */
function loadedBytes(metafile: Metafile, output: string, seen = new Set<string>()): number {
  if (seen.has(output)) return 0;
  seen.add(output);
  const entry = metafile.outputs[output];
  if (entry === undefined) return 0;
  return (
    entry.bytes + entry.imports.filter((i) => !i.external && i.kind === "import-statement").reduce((sum, i) => sum + loadedBytes(metafile, i.path, seen), 0)
  );
}

/** A deflated ZIP with a fixed timestamp, so the same bundle always makes the same package. */
function zip(entries: readonly { readonly name: string; readonly data: Buffer }[]): Buffer {
  const files: Zippable = Object.fromEntries(entries.map((entry) => [entry.name, [entry.data, { level: 9, mtime: ZIP_TIME }]]));
  return Buffer.from(zipSync(files));
}

/** Bundles, zips and returns the figures of each function bundle and the Lambda. */
export async function buildAll() {
  const metafile = await bundle();
  const cli = await buildCli(CLI_OUT);
  const cliEntry = `${CLI_OUT}/logexport.mjs`;
  const files = (await readdir(OUT, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(OUT, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
  const entries = await Promise.all(files.map(async (name) => ({ name, data: await readFile(`${OUT}/${name}`) })));
  await mkdir("dist", { recursive: true });
  const archive = zip(entries);
  await writeFile("dist/logexport-functions.zip", archive);
  const lambdaFile = `${LAMBDA_OUT}/index.mjs`;
  const lambdaZip = zip([{ name: "index.mjs", data: await readFile(lambdaFile) }]);
  await writeFile("dist/logexport-lambda.zip", lambdaZip);
  const bundles = [];
  for (const name of FUNCTIONS)
    bundles.push(await measureBundle(resolve(OUT, "functions", `${name}.mjs`), loadedBytes(metafile, `${OUT}/functions/${name}.mjs`)));
  bundles.push(await measureBundle(resolve(lambdaFile)));
  return {
    bundles,
    cli: { file: cliEntry, bytes: cli.outputs[cliEntry]?.bytes ?? 0, loadedBytes: loadedBytes(cli, cliEntry) },
    zipBytes: archive.length,
    lambdaZipBytes: lambdaZip.length,
  };
}

export function bundleTable(figures: Awaited<ReturnType<typeof buildAll>>): string {
  return renderTable([
    ["bundle", "entry", "with chunks", "cold import ms"],
    ...figures.bundles.map((b) => [
      b.file.slice(process.cwd().length + 1),
      formatBytes(b.bytes),
      formatBytes(b.loadedBytes),
      Number(b.coldImportMs.toFixed(1)),
    ]),
    // Importing the CLI runs it: its start is timed by `npm run bench -- cli-start` instead.
    [figures.cli.file, formatBytes(figures.cli.bytes), formatBytes(figures.cli.loadedBytes), "see cli-start"],
    ["dist/logexport-functions.zip", formatBytes(figures.zipBytes), "", ""],
    ["dist/logexport-lambda.zip", formatBytes(figures.lambdaZipBytes), "", ""],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${bundleTable(await buildAll())}\n`);
