import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Runs dist/cli/<name>.mjs, the CLI compiled by `npm run build:cli` (npm ci and npm install run it as `prepare`),
 * or says how to get it: running the TypeScript through tsx on each start cost about a second.
 */
export async function launch(name) {
  const compiled = new URL(`../dist/cli/${name}.mjs`, import.meta.url);
  if (existsSync(compiled)) {
    await import(compiled.href);
    return;
  }
  process.stderr.write(
    `${name}: the compiled CLI ${fileURLToPath(compiled)} is missing. Build it with "npm run build:cli" (npm ci and npm install do, as "prepare"), or run the TypeScript with "npm run ${name} -- <arguments>".\n`,
  );
  process.exitCode = 1;
}
