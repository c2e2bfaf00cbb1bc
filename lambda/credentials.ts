import { fromEnv } from "@aws-sdk/credential-provider-env";

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundle (scripts/build.ts aliases it). The
 * Lambda runtime gives the execution role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN, so the rest of the default chain (SSO, INI files, process, web identity, container,
 * IMDS, and the STS/SSO clients they bring: about 90 KiB minified) can never serve there.
 */
export function defaultProvider(init?: Parameters<typeof fromEnv>[0]): ReturnType<typeof fromEnv> {
  return fromEnv(init);
}
