import { execFileSync } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { renderTable, formatBytes } from "../cli/table.js";
import { zip } from "./zip.js";

const OUT = "dist/app";
const FUNCTIONS = ["planner", "worker"] as const;
// Some Azure packages call createRequire(import.meta.url); an ESM bundle needs a real `require` for Node built-ins.
const BANNER = 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);';

async function bundle(): Promise<void> {
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

/** Milliseconds to import a bundle in a fresh Node process (median of 5). */
function coldImportMs(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(`${process.cwd()}/${file}`)});process.stdout.write(String(performance.now()-t));`;
  const samples = Array.from({ length: 5 }, () => Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "ignore"] }).toString()));
  return samples.sort((a, b) => a - b)[2] ?? Number.NaN;
}

async function main(): Promise<void> {
  await bundle();
  const files = ["host.json", "package.json", ...FUNCTIONS.flatMap((name) => [`functions/${name}.mjs`, `functions/${name}.mjs.map`])];
  const entries = await Promise.all(files.map(async (name) => ({ name, data: await readFile(`${OUT}/${name}`) })));
  await mkdir("dist", { recursive: true });
  const archive = zip(entries);
  await writeFile("dist/logexport-functions.zip", archive);
  const rows: (string | number)[][] = [["bundle", "size", "gzip", "cold import ms"]];
  for (const name of FUNCTIONS) {
    const data = await readFile(`${OUT}/functions/${name}.mjs`);
    rows.push([`functions/${name}.mjs`, formatBytes(data.length), formatBytes(gzipSync(data).length), Number(coldImportMs(`${OUT}/functions/${name}.mjs`).toFixed(1))]);
  }
  rows.push(["dist/logexport-functions.zip", formatBytes(archive.length), "", ""]);
  process.stdout.write(`${renderTable(rows)}\n`);
}

await main();
