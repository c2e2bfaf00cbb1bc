import { resolve } from "node:path";
import { DefaultAzureCredential } from "@azure/identity";
import { ContainerClient } from "@azure/storage-blob";
import { isContainerName } from "../shared/core/identifiers.js";
import type { ObjectStore, StateStore } from "../shared/core/ports.js";
import { BlobObjectStore } from "../shared/sinks/blob/store.js";
import { LocalObjectStore } from "../shared/sinks/local/store.js";
import { PrefixedObjectStore } from "../shared/sinks/prefixed.js";
import { isLoopbackHttp } from "../shared/sources/log-analytics/clients.js";
import { blobServiceFromConnectionString } from "./account.js";
import { CliError } from "./errors.js";

export interface Output {
  readonly data: ObjectStore;
  readonly state: StateStore;
  readonly prefix: string;
  /** Creates the container when it is missing (local runs). */
  prepare(): Promise<void>;
}

/** State (manifests, ledger) lives beside the data under this prefix. */
export const STATE_PREFIX = "_logexport/";

function blobOutput(url: URL, connectionString: string | undefined): Output {
  // Azurite and other loopback emulators put the account in the path: /<account>/<container>/<prefix>.
  const segments = url.pathname.split("/").filter((s) => s !== "");
  const pathStyle = isLoopbackHttp(url.href);
  const [container, ...rest] = pathStyle ? segments.slice(1) : segments;
  if (container === undefined) throw new CliError(`--out ${url.href} names no container (expected https://<account>.blob.core.windows.net/<container>[/<prefix>])`);
  if (!isContainerName(container)) throw new CliError(`--out ${url.href}: the container ${JSON.stringify(container)} must be 3-63 lowercase letters, digits and single hyphens`);
  let client: ContainerClient;
  if (connectionString !== undefined) client = blobServiceFromConnectionString(connectionString).getContainerClient(container);
  else if (url.protocol === "https:") client = new ContainerClient(`${url.origin}/${container}`, new DefaultAzureCredential());
  else throw new CliError(`--out ${url.href}: a plain-http blob URL needs --connection-string (or AZURE_STORAGE_CONNECTION_STRING)`);
  const store = new BlobObjectStore(client);
  return {
    data: store,
    state: new PrefixedObjectStore(store, STATE_PREFIX),
    prefix: rest.join("/"),
    prepare: async () => {
      await client.createIfNotExists();
    },
  };
}

/** `--out` is a directory or a Blob container URL (with an optional path prefix). */
export function openOutput(out: string, connectionString: string | undefined): Output {
  if (/^https?:\/\//i.test(out)) {
    if (!URL.canParse(out)) throw new CliError(`--out ${JSON.stringify(out)} is not a valid URL (expected https://<account>.blob.core.windows.net/<container>[/<prefix>])`);
    return blobOutput(new URL(out), connectionString);
  }
  const root = resolve(out);
  return { data: new LocalObjectStore(root), state: new LocalObjectStore(resolve(root, STATE_PREFIX)), prefix: "", prepare: async () => undefined };
}
