import { execFileSync } from "node:child_process";
import { stat } from "node:fs/promises";

export interface BundleFigures {
  readonly file: string;
  /** The entry file alone. */
  readonly bytes: number;
  /** The entry and every chunk it imports: what a cold start reads. */
  readonly loadedBytes: number;
  /** Median of 5 imports, each in a fresh Node process. */
  readonly coldImportMs: number;
}

function coldImportMs(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  const samples = Array.from({ length: 5 }, () =>
    Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "ignore"] }).toString()),
  );
  return samples.sort((a, b) => a - b)[2] ?? Number.NaN;
}

export async function measureBundle(file: string, loadedBytes?: number): Promise<BundleFigures> {
  const { size } = await stat(file);
  return { file, bytes: size, loadedBytes: loadedBytes ?? size, coldImportMs: coldImportMs(file) };
}
