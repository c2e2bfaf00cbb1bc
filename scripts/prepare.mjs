// npm runs `prepare` after `npm ci` / `npm install` in the repo: it compiles the CLIs into dist/cli.
// Plain JavaScript because an install without dev dependencies (--omit=dev) has neither tsx nor esbuild:
// then it says so and lets the install succeed; bin/ names the missing build if a CLI is started.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const missing = ["esbuild", "tsx"].filter((name) => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  process.stderr.write(`prepare: ${missing.join(" and ")} not installed (dev dependencies), so the CLIs are not compiled: dist/cli comes from "npm run build:cli" where they are.\n`);
} else {
  const { tsImport } = await import("tsx/esm/api");
  const { buildCli, CLI_OUT } = await tsImport("./build-cli.ts", import.meta.url);
  await buildCli(CLI_OUT);
  process.stdout.write(`prepare: compiled the CLIs into ${CLI_OUT}/\n`);
}
