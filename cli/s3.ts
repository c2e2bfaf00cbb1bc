import { ConfigurationError } from "../shared/core/errors.js";
import { openFileTarget, type FileTarget } from "../shared/wiring/aws.js";
import { stringFlag, type FlagSpec, type ParsedFlags } from "./args.js";
import { CliError } from "./errors.js";

/** Every command that writes to S3 takes these; keys come from the standard AWS chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, roles), never from flags that would show in process listings. */
export const S3_FLAGS: readonly FlagSpec[] = [
  { name: "s3-endpoint-url", description: "an S3-compatible endpoint (MinIO, Ceph, …), addressed path-style" },
  { name: "s3-region", description: "the bucket's region (default: --aws-region, or us-east-1)" },
];

/** A local file or s3://bucket/key named by `--<flag>`, opened by the wiring; its problems in flag terms. */
export function fileTargetFlag(flags: ParsedFlags, flag: string, fallbackRegion: string): FileTarget {
  try {
    return openFileTarget(stringFlag(flags, flag) ?? "", `--${flag}`, { region: stringFlag(flags, "s3-region") ?? fallbackRegion, endpoint: stringFlag(flags, "s3-endpoint-url") });
  } catch (error) {
    if (error instanceof ConfigurationError) throw new CliError(error.message.replace("the S3 endpoint", "--s3-endpoint-url"));
    throw error;
  }
}
