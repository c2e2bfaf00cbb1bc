import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { isContainerName } from "../shared/core/identifiers.js";
import { stringFlag, type FlagSpec, type ParsedFlags } from "./args.js";
import { CliError } from "./errors.js";
import type { CommandIO } from "./io.js";

/** Flags naming the deployment's storage account and containers. */
export const ACCOUNT_FLAGS: readonly FlagSpec[] = [
  { name: "connection-string", description: "storage connection string (default: $AZURE_STORAGE_CONNECTION_STRING)" },
  { name: "account-url", description: "https://<account>.blob.core.windows.net, used with your Azure login when no connection string is given" },
  { name: "state-container", default: "log-export-state", description: "container of manifests, ledger and runs" },
];

/** The SDK throws a bare TypeError on a malformed connection string; the message never quotes it (it holds the account key). */
export function blobServiceFromConnectionString(connectionString: string): BlobServiceClient {
  try {
    return BlobServiceClient.fromConnectionString(connectionString);
  } catch (error) {
    throw new CliError(`the storage connection string (--connection-string or AZURE_STORAGE_CONNECTION_STRING) is not valid: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A container flag's value, refused before anything is created when the service would reject the name. */
export function containerFlag(flags: ParsedFlags, name: string): string {
  const value = stringFlag(flags, name) ?? "";
  if (!isContainerName(value)) throw new CliError(`--${name} must be 3-63 lowercase letters, digits and single hyphens, got ${JSON.stringify(value)}`);
  return value;
}

export function openAccount(flags: ParsedFlags, io: CommandIO): BlobServiceClient {
  const connectionString = stringFlag(flags, "connection-string") ?? io.env.AZURE_STORAGE_CONNECTION_STRING;
  if (connectionString !== undefined) return blobServiceFromConnectionString(connectionString);
  const accountUrl = stringFlag(flags, "account-url");
  if (accountUrl === undefined) throw new CliError("give --connection-string (or set AZURE_STORAGE_CONNECTION_STRING) or --account-url");
  if (!/^https:\/\/[^/]+\/?$/.test(accountUrl)) throw new CliError(`--account-url must look like https://<account>.blob.core.windows.net, got ${JSON.stringify(accountUrl)}`);
  return new BlobServiceClient(accountUrl, new DefaultAzureCredential());
}
