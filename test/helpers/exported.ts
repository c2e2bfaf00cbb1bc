import { gunzipSync } from "node:zlib";
import type { ContainerClient } from "@azure/storage-blob";
import { parseManifest, type ExportManifest } from "../../shared/engine/manifest.js";

export interface StoredBlob {
  readonly name: string;
  readonly data: Buffer;
}

export async function downloadAll(container: ContainerClient, prefix = ""): Promise<StoredBlob[]> {
  const blobs: StoredBlob[] = [];
  for await (const item of container.listBlobsFlat({ prefix }))
    blobs.push({ name: item.name, data: await container.getBlobClient(item.name).downloadToBuffer() });
  return blobs.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every exported JSON line of a table, parsed, in object-name order. */
export async function exportedRows(container: ContainerClient, table: string): Promise<Record<string, unknown>[]> {
  const blobs = await downloadAll(container, `table=${table}/`);
  return blobs.flatMap((blob) =>
    gunzipSync(blob.data)
      .toString("utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}

export async function manifests(state: ContainerClient, table: string): Promise<ExportManifest[]> {
  const blobs = await downloadAll(state, `manifests/table=${table}/`);
  return blobs.map((blob) => {
    const manifest = parseManifest(blob.data.toString("utf8"));
    if (manifest === undefined) throw new Error(`${blob.name} is not a valid manifest`);
    return manifest;
  });
}
