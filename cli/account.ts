import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { stringFlag, type FlagSpec, type ParsedFlags } from "./args.js";
import { CliError } from "./errors.js";
import type { CommandIO } from "./io.js";

/** Flags naming the deployment's storage account and containers. */
export const ACCOUNT_FLAGS: readonly FlagSpec[] = [
  { name: "connection-string", description: "storage connection string (default: $AZURE_STORAGE_CONNECTION_STRING)" },
  { name: "account-url", description: "https://<account>.blob.core.windows.net, used with your Azure login when no connection string is given" },
  { name: "state-container", default: "log-export-state", description: "container of manifests, ledger and runs" },
];

export function openAccount(flags: ParsedFlags, io: CommandIO): BlobServiceClient {
  const connectionString = stringFlag(flags, "connection-string") ?? io.env.AZURE_STORAGE_CONNECTION_STRING;
  if (connectionString !== undefined) return BlobServiceClient.fromConnectionString(connectionString);
  const accountUrl = stringFlag(flags, "account-url");
  if (accountUrl === undefined) throw new CliError("give --connection-string (or set AZURE_STORAGE_CONNECTION_STRING) or --account-url");
  if (!/^https:\/\/[^/]+\/?$/.test(accountUrl)) throw new CliError(`--account-url must look like https://<account>.blob.core.windows.net, got ${JSON.stringify(accountUrl)}`);
  return new BlobServiceClient(accountUrl, new DefaultAzureCredential());
}
