import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { Environment } from "../../shared/settings/env.js";
import { loadAwsExportSettings } from "../../shared/settings/aws.js";
import { createAwsExport, type AwsExport } from "../../shared/wiring/aws.js";
import { fakeClientConfig, type FakeCloudWatchLogs } from "./fake-cloudwatch-logs.js";
import type { S3Harness } from "./s3.js";

/** The AWS export wired as in the Lambda from these settings, on the fake CloudWatch Logs (3 SDK attempts) and the S3 harness. */
export function awsExportOn(fake: FakeCloudWatchLogs, s3: S3Harness, env: Environment): AwsExport {
  return createAwsExport(loadAwsExportSettings(env), { logs: new CloudWatchLogsClient(fakeClientConfig(fake, 3)), s3: s3.client() });
}
