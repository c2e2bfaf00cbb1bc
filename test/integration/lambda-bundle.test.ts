/**
 * The Lambda as deployed: the esbuild bundle of scripts/build.ts (environment credentials only, no YAML
 * parser), imported in a fresh Node process whose environment is what Lambda gives a function (role
 * credentials in AWS_* variables) plus the module's settings, with endpoints pointing the real SDK clients
 * at the fake CloudWatch Logs, the fake Secrets Manager and the S3 server. One scheduled hour goes
 * through it; a YAML sanitizer config is refused with a message saying why.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAMBDA_BUILD } from "../../scripts/build.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { hourManifest } from "../helpers/aws-manifests.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { startFakeSecretsManager, type FakeSecretsManager } from "../helpers/fake-secrets-manager.js";
import { scheduledEvent } from "../helpers/lambda-events.js";
import { pulpHourStream } from "../helpers/pulp-log-stream.js";
import { s3Env, startS3, type S3Harness } from "../helpers/s3.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const GROUP = "/aws/containerinsights/pulp-prod/application";
const OBJECT = "pulp/year=2026/month=02/day=04/hour=14/pulp_access_logs_20260204T140000Z.parquet";
const run = promisify(execFile);

let dir: string;
let bundle: string;
let logs: FakeCloudWatchLogs;
let secrets: FakeSecretsManager;
let s3: S3Harness;
let keyArn: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lambda-bundle-"));
  await build({ ...LAMBDA_BUILD, outdir: dir, sourcemap: false, legalComments: "none", logLevel: "silent" });
  bundle = join(dir, "index.mjs");
  logs = await startFakeCloudWatchLogs({ groups: [pulpHourStream({ hourStartMs: HOUR, eventsInHour: 500, marginSeconds: 60, logGroupName: GROUP })] });
  secrets = await startFakeSecretsManager();
  keyArn = secrets.put({ name: "logexport/hmac-key", secretString: randomBytes(32).toString("base64") });
  s3 = await startS3({ buckets: ["exports"] });
}, 120_000);

afterAll(async () => {
  await logs?.close();
  await secrets?.close();
  await s3?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Imports the bundle in a fresh process, calls its handler with one scheduled event and prints what it returned or threw. */
async function invoke(settings: Record<string, string>): Promise<{ result?: { hours: { object: string; rows: number }[] }; error?: string }> {
  const script = `
    const { handler } = await import(${JSON.stringify(bundle)});
    const event = JSON.parse(process.env.TEST_EVENT);
    try {
      const result = await handler(event, { awsRequestId: "bundle", getRemainingTimeInMillis: () => 900000 });
      process.stdout.write("\\nRESULT " + JSON.stringify({ result }) + "\\n");
    } catch (error) {
      process.stdout.write("\\nRESULT " + JSON.stringify({ error: error.name + ": " + error.message }) + "\\n");
    }
    process.exit(0);`;
  const env = {
    PATH: process.env.PATH ?? "",
    ...s3Env(s3.endpoint),
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_SESSION_TOKEN: "session-token-of-the-role",
    TEST_EVENT: JSON.stringify(scheduledEvent(HOUR + HOUR_MS + 16 * 60_000)),
    LOGEXPORT_LOG_GROUPS: GROUP,
    LOGEXPORT_S3_BUCKET: "exports",
    LOGEXPORT_S3_PREFIX: "pulp",
    ...settings,
  };
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { env, timeout: 60_000 });
  const line = stdout.split("\n").find((text) => text.startsWith("RESULT ")) ?? "RESULT {}";
  return JSON.parse(line.slice("RESULT ".length)) as { result?: { hours: { object: string; rows: number }[] }; error?: string };
}

describe("the Lambda bundle, as deployed", () => {
  it("exports a scheduled hour with the role's credentials from the environment and the HMAC key from Secrets Manager", async () => {
    const { result, error } = await invoke({
      LOGEXPORT_SANITIZE: "on",
      LOGEXPORT_HMAC_KEY_SECRET_ARN: keyArn,
      LOGEXPORT_SANITIZER_CONFIG: JSON.stringify({ version: 1, fieldRules: [{ path: "user", action: "pseudonymize" }] }),
    });
    expect(error).toBeUndefined();
    expect(result?.hours.map((hour) => hour.object)).toEqual([OBJECT]);
    const bucket = await s3.bucket("exports");
    const manifest = await hourManifest(bucket, "pulp_access_logs", HOUR);
    expect(manifest.exportedRows).toBe(result?.hours[0]?.rows);
    expect(manifest.exportedRows).toBeGreaterThan(0);
    expect(secrets.calls.filter((call) => call.secretId === keyArn).map((call) => call.status)).toEqual([200]);
  }, 120_000);

  it("refuses a YAML sanitizer config, saying the Lambda reads JSON and Terraform converts", async () => {
    const { error } = await invoke({ LOGEXPORT_SANITIZE: "on", LOGEXPORT_SANITIZER_CONFIG: "version: 1\nfieldRules:\n  - path: user\n    action: drop\n" });
    expect(error).toMatch(
      /^ConfigurationError: LOGEXPORT_SANITIZER_CONFIG: this runtime reads sanitizer configs as JSON only \(the Lambda: Terraform's sanitizer_config converts YAML to JSON\)/,
    );
  }, 120_000);
});
