/**
 * The CLIs as an install has them, compiled from the current source: bin/'s launchers beside dist/cli (what
 * `prepare` builds), under a directory of the test's own, so a test never runs a stale or missing build.
 */
import { copyFile, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { buildCli } from "../../scripts/build-cli.js";

/** bin/'s launchers only (no build) under `root`. */
export async function copyLaunchers(root: string): Promise<void> {
  await mkdir(join(root, "bin"), { recursive: true });
  for (const file of await readdir("bin")) await copyFile(join("bin", file), join(root, "bin", file));
}

/** bin/ and a fresh dist/cli under `root`; run a CLI as `node <root>/bin/<name>.mjs`. */
export async function installCompiledCli(root: string): Promise<void> {
  await copyLaunchers(root);
  await buildCli(join(root, "dist", "cli"));
}
