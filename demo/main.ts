import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { startAzurite } from "../test/helpers/azurite.js";

const OUTPUT = resolve(".demo-output");

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  // Azurite starts while the SDKs and the engine load (seconds on a busy machine): this entry imports nothing heavy.
  const azurite = startAzurite();
  // Awaited below; until then a failed start must not count as an unhandled rejection.
  azurite.catch(() => undefined);
  const [{ runAzureDemo }, { runAwsDemo }] = await Promise.all([import("./azure.js"), import("./aws.js"), rm(OUTPUT, { recursive: true, force: true })]);
  await mkdir(OUTPUT, { recursive: true });
  // The AWS part shares nothing with the Azure part (its own emulators, output and clock), so it runs alongside and
  // its lines are printed after the Azure summary: both clouds in about the time of the longer one.
  const awsLines: string[] = [];
  let awsDoneMs = 0;
  const awsRun = runAwsDemo(OUTPUT, (line) => awsLines.push(line)).finally(() => {
    awsDoneMs = Date.now();
  });
  const azure = await runAzureDemo(OUTPUT, say, await azurite).catch(async (error: unknown) => {
    await awsRun.catch(() => undefined);
    throw error;
  });
  say(`  (Azure part: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const aws = await awsRun;
  for (const line of awsLines) say(line);
  say(`  (AWS part, run alongside the Azure part: ${((awsDoneMs - started) / 1000).toFixed(1)} s)`);
  // The page GET /api/coverage and `logexport status --clouds azure,aws --html` make, with both clouds' tables.
  const { coveragePage } = await import("../shared/report/coverage-page.js");
  const page = coveragePage({ title: "Log export coverage (demo)", generatedAt: new Date().toISOString(), sections: [azure.coverage, aws.coverage] });
  await writeFile(join(OUTPUT, "coverage.html"), page.html);
  say(`\nCoverage page, both clouds on one heatmap (open it in a browser): ${join(OUTPUT, "coverage.html")}`);
  const ok = azure.complete && aws.complete;
  say(`\n${ok ? "Both clouds complete" : "INCOMPLETE"} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (!ok) process.exitCode = 1;
}

await main();
