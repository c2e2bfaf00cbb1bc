import { S3Client } from "@aws-sdk/client-s3";
import { stringFlag, type FlagSpec, type ParsedFlags } from "./args.js";
import { CliError } from "./errors.js";

/** Every command that writes to S3 takes these; keys come from the standard AWS chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, roles), never from flags that would show in process listings. */
export const S3_FLAGS: readonly FlagSpec[] = [
  { name: "s3-endpoint-url", description: "an S3-compatible endpoint (MinIO, Ceph, …), addressed path-style" },
  { name: "s3-region", description: "the bucket's region (default: --aws-region, or us-east-1)" },
];

/** `s3://bucket/key` → its parts; undefined when the text is not an s3:// URL at all. */
export function parseS3Url(url: string, flag: string): { bucket: string; key: string } | undefined {
  if (!url.startsWith("s3://")) return undefined;
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(url);
  if (m === null) throw new CliError(`${flag} ${JSON.stringify(url)} needs a bucket and a key: s3://bucket/key.parquet`);
  return { bucket: m[1] ?? "", key: m[2] ?? "" };
}

export function s3ClientFromFlags(flags: ParsedFlags, fallbackRegion: string): S3Client {
  const endpoint = stringFlag(flags, "s3-endpoint-url");
  if (endpoint !== undefined && !/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/.test(endpoint)) {
    throw new CliError(`--s3-endpoint-url must be an http(s) URL such as http://localhost:9000, got ${JSON.stringify(endpoint)}`);
  }
  const region = stringFlag(flags, "s3-region") ?? fallbackRegion;
  return new S3Client(endpoint === undefined ? { region } : { region, endpoint, forcePathStyle: true });
}
