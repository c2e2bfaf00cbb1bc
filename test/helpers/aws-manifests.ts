import { HOUR_MS } from "../../shared/core/time.js";
import { manifestName } from "../../shared/engine/naming.js";
import { parseManifest, type ExportManifest } from "../../shared/engine/manifest.js";
import type { S3Bucket } from "./s3.js";

/** The manifest of one exported hour, where the AWS export keeps it (the state prefix, default `_logexport/`). */
export async function hourManifest(bucket: S3Bucket, table: string, hourStartMs: number, statePrefix = "_logexport"): Promise<ExportManifest> {
  const text = (await bucket.getBytes(`${statePrefix}/${manifestName(table, { startMs: hourStartMs, endMs: hourStartMs + HOUR_MS })}`)).toString();
  const manifest = parseManifest(text);
  if (manifest === undefined) throw new Error(`not a complete manifest: ${text.slice(0, 200)}`);
  return manifest;
}
