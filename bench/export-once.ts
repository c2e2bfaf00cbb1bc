// One worker invocation in its own process, so its peak RSS is its own. Run by bench/main.ts.
import azureFunctions from "@azure/functions";
import { createWorkerHandler } from "../functions/worker.js";
import { loadAzureExportSettings } from "../shared/settings/azure.js";
import { createAzureExport } from "../shared/wiring/azure.js";

const job = JSON.parse(process.env.BENCH_JOB ?? "{}") as unknown;
const exporter = createAzureExport(loadAzureExportSettings(process.env));
await exporter.ensureStorage();
const handler = createWorkerHandler(() => exporter);
const context = new azureFunctions.InvocationContext({
  functionName: "worker",
  invocationId: "bench",
  logHandler: () => undefined,
  triggerMetadata: { dequeueCount: 1 },
});
const started = performance.now();
const outcome = await handler(job, context);
const seconds = (performance.now() - started) / 1000;
if (outcome === undefined || !("status" in outcome) || outcome.status !== "exported") throw new Error(`bench export did not run: ${JSON.stringify(outcome)}`);
process.stdout.write(
  `${JSON.stringify({ rows: outcome.manifest.exportedRows, parts: outcome.manifest.parts.length, bytes: outcome.manifest.bytes, queries: outcome.queries, seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
