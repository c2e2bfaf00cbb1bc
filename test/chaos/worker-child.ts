/**
 * One worker invocation in its own process, so the chaos suite can kill it (SIGKILL) at a precise
 * point of an export: the settings come as JSON in CHAOS_SETTINGS, the queue message as argv[2].
 * Prints "done" when the invocation returns.
 */
import { randomUUID } from "node:crypto";
import azureFunctions from "@azure/functions";
import { createWorkerHandler } from "../../functions/worker.js";
import { loadAzureExportSettings } from "../../shared/settings/azure.js";
import { createAzureExport } from "../../shared/wiring/azure.js";

const settings = JSON.parse(process.env.CHAOS_SETTINGS ?? "{}") as Record<string, string>;
const exporter = createAzureExport(loadAzureExportSettings(settings));
const handler = createWorkerHandler(() => exporter);
await handler(process.argv[2] ?? "", new azureFunctions.InvocationContext({ functionName: "worker", invocationId: randomUUID(), logHandler: () => undefined }));
process.stdout.write("done\n");
