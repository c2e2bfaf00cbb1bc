import type { InvocationContext } from "@azure/functions";
import { jsonLogger } from "../shared/core/logger.js";
import type { Logger } from "../shared/core/ports.js";
import { loadAzureExportSettings } from "../shared/settings/azure.js";
import { SETTINGS } from "../shared/settings/spec.js";
import { createAzureExport, type AzureExport } from "../shared/wiring/azure.js";

let cached: AzureExport | undefined;

/** Settings are read at the first invocation, so a missing setting fails that invocation with a clear message instead of the host's startup. */
export function azureExport(): AzureExport {
  cached ??= createAzureExport(loadAzureExportSettings(process.env));
  return cached;
}

/** Registration-time values have defaults so the app always loads. */
export function registrationSetting(spec: { readonly name: string; readonly default: string }): string {
  return process.env[spec.name]?.trim() || spec.default;
}

export const plannerSchedule = (): string => registrationSetting(SETTINGS.plannerSchedule);
export const jobQueueName = (): string => registrationSetting(SETTINGS.queue);
export const backfillQueueName = (): string => registrationSetting(SETTINGS.backfillQueue);
/** App Service sets this when its authentication runs in front of the app: only then does x-ms-client-principal come from the platform, not from the caller. */
export const platformSignInEnabled = (): boolean => process.env.WEBSITE_AUTH_ENABLED?.trim().toLowerCase() === "true";
/** HTTP functions take a function key only when LOGEXPORT_FUNCTION_KEYS=on; otherwise App Service authentication (Entra ID) guards them. */
export const httpAuthLevel = (): "function" | "anonymous" => (registrationSetting(SETTINGS.functionKeys) === "on" ? "function" : "anonymous");

export function contextLogger(context: InvocationContext, base: Readonly<Record<string, unknown>> = {}): Logger {
  return jsonLogger((level, line) => (level === "info" ? context.info(line) : level === "warn" ? context.warn(line) : context.error(line)), {
    invocationId: context.invocationId,
    ...base,
  });
}
