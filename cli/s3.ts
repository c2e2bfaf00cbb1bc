import { ConfigurationError } from "../shared/core/errors.js";
import { openFileTarget, type FileTarget } from "../shared/wiring/aws.js";
import type { S3StaticCredentials } from "../shared/wiring/s3.js";
import { stringFlag, type FlagSpec, type ParsedFlags } from "./args.js";
import { CliError } from "./errors.js";

/**
 * Every command that writes to S3 takes these. Keys come from the standard AWS chain (AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY, profiles, roles); the key flags exist because the upstream CronJob passes them,
 * and are the least preferred way (a process listing shows them). Their values are never printed.
 */
export const S3_FLAGS: readonly FlagSpec[] = [
  { name: "s3-endpoint-url", description: "an S3-compatible endpoint (MinIO, Ceph, …), addressed path-style" },
  { name: "s3-region", description: "the bucket's region (default: --aws-region, or us-east-1)" },
  {
    name: "s3-access-key-id",
    description: "a key for S3 only, with --s3-secret-access-key (least preferred: use the environment, a profile or a role; empty: the standard chain)",
  },
  { name: "s3-secret-access-key", description: "the secret of --s3-access-key-id" },
  { name: "s3-session-token", description: "the session token of temporary S3 keys" },
];

/** The static S3 keys the flags give: both or neither (empty counts as not given, as upstream reads it); the values stay out of every message. */
function credentialFlags(flags: ParsedFlags): S3StaticCredentials | undefined {
  const accessKeyId = stringFlag(flags, "s3-access-key-id") ?? "";
  const secretAccessKey = stringFlag(flags, "s3-secret-access-key") ?? "";
  const sessionToken = stringFlag(flags, "s3-session-token") ?? "";
  if (accessKeyId === "" && secretAccessKey === "") {
    if (sessionToken !== "") throw new CliError("--s3-session-token needs --s3-access-key-id and --s3-secret-access-key");
    return undefined;
  }
  if (accessKeyId === "" || secretAccessKey === "")
    throw new CliError("--s3-access-key-id and --s3-secret-access-key go together: give both, or neither to use the standard AWS chain");
  return sessionToken === "" ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

/** A local file or s3://bucket/key named by `--<flag>`, opened by the wiring; its problems in flag terms. */
export function fileTargetFlag(flags: ParsedFlags, flag: string, fallbackRegion: string): FileTarget {
  try {
    const credentials = credentialFlags(flags);
    const s3 = { region: stringFlag(flags, "s3-region") ?? fallbackRegion, endpoint: stringFlag(flags, "s3-endpoint-url") };
    return openFileTarget(stringFlag(flags, flag) ?? "", `--${flag}`, credentials === undefined ? s3 : { ...s3, credentials });
  } catch (error) {
    if (error instanceof ConfigurationError) throw new CliError(error.message.replace("the S3 endpoint", "--s3-endpoint-url"));
    throw error;
  }
}
