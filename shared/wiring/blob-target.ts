import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import { ConfigurationError } from "../core/errors.js";
import { isContainerName } from "../core/identifiers.js";
import { uploadInBlocks } from "../sinks/blob/block-upload.js";
import { BlobObjectStore } from "../sinks/blob/store.js";
import { isLoopbackHttp } from "../sources/log-analytics/clients.js";
import type { FileTarget } from "./aws.js";

/** A blob URL as given, split: the container URL without its query, the blob name, and a SAS token if the URL carried one. */
export interface BlobUrl {
  readonly containerUrl: string;
  readonly container: string;
  readonly name: string;
  readonly sas: string | undefined;
}

/** `https://<account>.blob.core.windows.net/<container>/<name>[?<SAS>]`; loopback emulators put the account first in the path. */
export function parseBlobUrl(text: string, what: string): BlobUrl {
  if (!URL.canParse(text)) throw new ConfigurationError(`${what} is not a valid URL (expected https://<account>.blob.core.windows.net/<container>/<name>)`);
  const url = new URL(text);
  const segments = url.pathname
    .split("/")
    .filter((s) => s !== "")
    .map(decodeURIComponent);
  const accountSegments = isLoopbackHttp(url.href) ? segments.slice(0, 1) : [];
  const [container, ...rest] = segments.slice(accountSegments.length);
  // The SAS token never appears in a message: only the origin and path are shown.
  const shown = `${url.origin}${url.pathname}`;
  if (container === undefined || !isContainerName(container))
    throw new ConfigurationError(`${what} ${shown} names no valid container (3-63 lowercase letters, digits and single hyphens)`);
  return {
    containerUrl: `${url.origin}/${[...accountSegments, container].map(encodeURIComponent).join("/")}`,
    container,
    name: rest.join("/"),
    sas: url.searchParams.has("sig") ? url.search.slice(1) : undefined,
  };
}

/**
 * One blob as a file target: through the URL's own SAS token when it has one, else a connection string,
 * else your Azure login (https only). `shown` never holds the token.
 */
export function openBlobFileTarget(text: string, what: string, connectionString: string | undefined): FileTarget {
  const blob = parseBlobUrl(text, what);
  if (blob.name === "") throw new ConfigurationError(`${what} names a container but no blob`);
  let container: ContainerClient;
  if (blob.sas !== undefined) container = new ContainerClient(`${blob.containerUrl}?${blob.sas}`);
  else if (connectionString !== undefined) container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(blob.container);
  else if (blob.containerUrl.startsWith("https:")) container = new ContainerClient(blob.containerUrl, new DefaultAzureCredential());
  else throw new ConfigurationError(`${what} ${blob.containerUrl}: a plain-http blob URL needs a SAS token or AZURE_STORAGE_CONNECTION_STRING`);
  const client = container.getBlockBlobClient(blob.name);
  return {
    store: new BlobObjectStore(container),
    name: blob.name,
    shown: `${blob.containerUrl}/${blob.name}`,
    uploadInBlocks: (source, options) => uploadInBlocks(client, source, options),
  };
}
