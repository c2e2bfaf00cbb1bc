import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";

export interface BundleFigures {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median of 5 imports, each in a fresh Node process. */
  readonly coldImportMs: number;
}

function coldImportMs(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  const samples = Array.from({ length: 5 }, () => Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "ignore"] }).toString()));
  return samples.sort((a, b) => a - b)[2] ?? Number.NaN;
}

export async function measureBundle(file: string): Promise<BundleFigures> {
  const data = await readFile(file);
  return { file, bytes: data.length, gzipBytes: gzipSync(data).length, coldImportMs: coldImportMs(file) };
}
