import { S3Client } from "@aws-sdk/client-s3";
import { ConfigurationError } from "../core/errors.js";

/** Static keys for S3 alone, given on a command line for compatibility with the upstream CronJob; never logged. */
export interface S3StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3ClientOptions {
  readonly region: string;
  /** An S3-compatible endpoint (MinIO, Ceph, …), addressed path-style. */
  readonly endpoint?: string;
  /** Keys for S3 only (CloudWatch keeps the standard chain); absent: the standard chain. */
  readonly credentials?: S3StaticCredentials;
}

/** `s3://bucket/key` → its parts; undefined when the text is not an s3:// URL at all. */
export function parseS3Url(url: string, what = "the S3 URL"): { bucket: string; key: string } | undefined {
  if (!url.startsWith("s3://")) return undefined;
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(url);
  if (m === null) throw new ConfigurationError(`${what} ${JSON.stringify(url)} needs a bucket and a key: s3://bucket/key.parquet`);
  return { bucket: m[1] ?? "", key: m[2] ?? "" };
}

/** Keys come from the standard AWS chain (environment, profile, role) unless static S3 keys are given. */
export function createS3Client(options: S3ClientOptions): S3Client {
  const { endpoint, region, credentials } = options;
  if (endpoint !== undefined && !/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/.test(endpoint)) {
    throw new ConfigurationError(`the S3 endpoint must be an http(s) URL such as http://localhost:9000, got ${JSON.stringify(endpoint)}`);
  }
  return new S3Client({ region, ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }), ...(credentials === undefined ? {} : { credentials }) });
}
