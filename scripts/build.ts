import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { build } from "esbuild";
import { formatBytes, renderTable } from "../cli/table.js";
import { measureBundle } from "./bundle-report.js";
import { zip } from "./zip.js";

const OUT = "dist/app";
export const FUNCTIONS = ["planner", "worker", "backfill", "status"] as const;
// Some Azure packages call createRequire(import.meta.url); an ESM bundle needs a real `require` for Node built-ins.
const BANNER = 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);';

export async function bundle(): Promise<void> {
  await rm("dist", { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(FUNCTIONS.map((name) => [`functions/${name}`, `functions/${name}.ts`])),
    outdir: OUT,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: "linked",
    legalComments: "external",
    banner: { js: BANNER },
    // Provided by the Functions host at run time.
    external: ["@azure/functions-core"],
    logLevel: "warning",
  });
  const pkg = JSON.parse(await readFile("package.json", "utf8")) as { version: string };
  await writeFile(`${OUT}/package.json`, `${JSON.stringify({ name: "logexport-functions", version: pkg.version, type: "module", main: "functions/*.mjs" }, null, 2)}\n`);
  await writeFile(`${OUT}/host.json`, await readFile("host.json"));
}

/** Bundles, zips and returns the figures of each function bundle. */
export async function buildAll() {
  await bundle();
  const files = ["host.json", "package.json", ...FUNCTIONS.flatMap((name) => [`functions/${name}.mjs`, `functions/${name}.mjs.map`])];
  const entries = await Promise.all(files.map(async (name) => ({ name, data: await readFile(`${OUT}/${name}`) })));
  await mkdir("dist", { recursive: true });
  const archive = zip(entries);
  await writeFile("dist/logexport-functions.zip", archive);
  const bundles = [];
  for (const name of FUNCTIONS) bundles.push(await measureBundle(resolve(OUT, "functions", `${name}.mjs`)));
  return { bundles, zipBytes: archive.length };
}

export function bundleTable(figures: Awaited<ReturnType<typeof buildAll>>): string {
  return renderTable([
    ["bundle", "size", "gzip", "cold import ms"],
    ...figures.bundles.map((b) => [b.file.slice(process.cwd().length + 1), formatBytes(b.bytes), formatBytes(b.gzipBytes), Number(b.coldImportMs.toFixed(1))]),
    ["dist/logexport-functions.zip", formatBytes(figures.zipBytes), "", ""],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${bundleTable(await buildAll())}\n`);
