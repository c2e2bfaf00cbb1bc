/**
 * The Lambda's pseudonymization key from Secrets Manager (LOGEXPORT_HMAC_KEY_SECRET_ARN): the real
 * @aws-sdk/client-secrets-manager client against a wire-level fake, then a whole scheduled hour through
 * the handler, the fake CloudWatch Logs and the S3 server, with `user` pseudonymized under the secret's key.
 */
import { createHmac, randomBytes } from "node:crypto";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler, oncePerEnvironment } from "../../lambda/handler.js";
import { ConfigurationError } from "../../shared/core/errors.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { hourManifest } from "../helpers/aws-manifests.js";
import { loadAwsExportSettings } from "../../shared/settings/aws.js";
import type { Environment } from "../../shared/settings/env.js";
import { loadAwsExport, withHmacKeyFromSecret } from "../../shared/wiring/aws.js";
import { fakeClientConfig, startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { fakeSecretsManagerConfig, startFakeSecretsManager, type FakeSecretsManager } from "../helpers/fake-secrets-manager.js";
import { pulpHourStream, type PulpLogStream } from "../helpers/pulp-log-stream.js";
import { scheduledEvent, lambdaContext } from "../helpers/lambda-events.js";
import { startS3 } from "../helpers/s3.js";

const HOUR = Date.UTC(2026, 1, 4, 14);
const GROUP = "/aws/containerinsights/pulp-prod/application";
const KEY_OBJECT = "pulp/year=2026/month=02/day=04/hour=14/pulp_access_logs_20260204T140000Z.parquet";
/** A fresh random key per run: nothing in the source looks like a real one. */
const KEY = randomBytes(32);
/** The line kinds that become rows (test/integration/aws-export.test.ts). */
const ROW_KINDS = new Set(["access", "anonymous", "pypiNonPackage", "threat"]);
const PSEUDONYMIZE_USER = JSON.stringify({ version: 1, fieldRules: [{ path: "user", action: "pseudonymize" }] });

let secrets: FakeSecretsManager;
let logs: FakeCloudWatchLogs;
let stream: PulpLogStream;
let s3: Awaited<ReturnType<typeof startS3>>;
let keyArn: string;

beforeAll(async () => {
  secrets = await startFakeSecretsManager();
  keyArn = secrets.put({ name: "logexport/hmac-key", secretString: KEY.toString("base64") });
  stream = pulpHourStream({ hourStartMs: HOUR, eventsInHour: 2_000, marginSeconds: 60, logGroupName: GROUP });
  logs = await startFakeCloudWatchLogs({ groups: [stream] });
  s3 = await startS3({ buckets: ["exports"] });
}, 60_000);
afterAll(async () => {
  await secrets.close();
  await logs.close();
  await s3.stop();
});

function env(extra: Environment = {}): Environment {
  return {
    LOGEXPORT_LOG_GROUPS: GROUP,
    LOGEXPORT_S3_BUCKET: "exports",
    LOGEXPORT_S3_PREFIX: "pulp",
    LOGEXPORT_SANITIZE: "on",
    LOGEXPORT_SANITIZER_CONFIG: PSEUDONYMIZE_USER,
    ...extra,
  };
}

const secretsClient = () => new SecretsManagerClient(fakeSecretsManagerConfig(secrets));
const callsFor = (arn: string) => secrets.calls.filter((c) => c.secretId === arn);
const expectedPseudonym = (user: string) => `pseu_${createHmac("sha256", KEY).update(user, "utf8").digest("hex").slice(0, 16)}`;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  return error as Error;
}

describe("LOGEXPORT_HMAC_KEY_SECRET_ARN: the Lambda's key from Secrets Manager", () => {
  it("exports an hour with user pseudonymized under the secret's key, reading the secret once per environment", async () => {
    const handler = createHandler(
      oncePerEnvironment(() =>
        loadAwsExport(env({ LOGEXPORT_HMAC_KEY_SECRET_ARN: keyArn }), {
          logs: new CloudWatchLogsClient(fakeClientConfig(logs, 3)),
          s3: s3.client(),
          secrets: secretsClient(),
        }),
      ),
      () => undefined,
    );
    const event = scheduledEvent(HOUR + HOUR_MS + 15 * 60_000 + 3_000);
    expect((await handler(event, lambdaContext("req-secrets"))).hours.map((h) => h.object)).toEqual([KEY_OBJECT]);
    await handler(event, lambdaContext("req-secrets"));
    expect(callsFor(keyArn)).toEqual([{ target: "secretsmanager.GetSecretValue", secretId: keyArn, status: 200 }]);

    const bucket = await s3.bucket("exports");
    const rows = await parquetReadObjects({ file: new Uint8Array(await bucket.getBytes(KEY_OBJECT)).buffer, columns: ["user", "message"] });
    const users = new Set<string | null>();
    for (const e of stream.events(HOUR, HOUR + HOUR_MS)) if (e.access !== undefined && ROW_KINDS.has(e.kind)) users.add(e.access.user);
    const named = [...users].filter((u): u is string => u !== null);
    expect(named.length).toBeGreaterThan(2);
    expect(new Set(rows.map((r) => r.user as string | null))).toEqual(new Set([...users].map((u) => (u === null ? null : expectedPseudonym(u)))));
    const manifest = await hourManifest(bucket, "pulp_access_logs", HOUR);
    expect(manifest.exportedRows).toBe(rows.length);
    expect(manifest.sanitizer.counts["field:user"]).toBe(rows.filter((r) => r.user !== null).length);
  });

  it("names the secret and the service's error when it cannot be read, and tries again on the next invocation", async () => {
    const missing = `${keyArn.slice(0, keyArn.lastIndexOf(":") + 1)}logexport/gone-AbCdEf`;
    const notFound = await rejection(loadAwsExport(env({ LOGEXPORT_HMAC_KEY_SECRET_ARN: missing }), { secrets: secretsClient() }));
    expect(notFound.message).toContain(`cannot read the secret ${missing} (LOGEXPORT_HMAC_KEY_SECRET_ARN) from Secrets Manager: ResourceNotFoundException`);

    const before = callsFor(keyArn).length;
    secrets.fail("AccessDeniedException");
    const start = oncePerEnvironment(() => loadAwsExport(env({ LOGEXPORT_HMAC_KEY_SECRET_ARN: keyArn }), { secrets: secretsClient() }));
    expect((await rejection(start())).message).toMatch(/cannot read the secret .*: AccessDeniedException/);
    const first = await start();
    expect(await start()).toBe(first);
    expect(
      callsFor(keyArn)
        .map((c) => c.status)
        .slice(before),
    ).toEqual([400, 200]);
  });

  it("refuses a secret whose text is not a key of at least 32 bytes, a binary secret and an empty one, never showing the value", async () => {
    const cases = [
      { secret: { name: "short", secretString: randomBytes(16).toString("hex") }, error: /must hold at least 32 bytes .*got 16 bytes/ },
      { secret: { name: "prose", secretString: "not a key, just words" }, error: /must be hex or base64/ },
      { secret: { name: "binary", secretBinary: randomBytes(32) }, error: /holds no SecretString/ },
      { secret: { name: "blank", secretString: "   " }, error: /holds no SecretString/ },
    ];
    for (const { secret, error } of cases) {
      const arn = secrets.put(secret);
      const settings = loadAwsExportSettings(env({ LOGEXPORT_HMAC_KEY_SECRET_ARN: arn }));
      const refused = await rejection(withHmacKeyFromSecret(settings, secretsClient()));
      expect(refused.message, secret.name).toMatch(error);
      expect(refused.message, secret.name).toContain(arn);
      if (secret.secretString !== undefined && secret.secretString.trim() !== "") expect(refused.message, secret.name).not.toContain(secret.secretString);
    }
  });

  it("reads the secret even with sanitizing off, so a bad key fails at deployment, not when pseudonyms are first needed", async () => {
    const arn = secrets.put({ name: "short-too", secretString: "00ff" });
    await rejection(loadAwsExport(env({ LOGEXPORT_SANITIZE: "off", LOGEXPORT_HMAC_KEY_SECRET_ARN: arn }), { secrets: secretsClient() }));
    expect(callsFor(arn)).toHaveLength(1);
  });

  it("without the setting, asks Secrets Manager nothing, and a pseudonymizing rule still finds no key", async () => {
    const calls = secrets.calls.length;
    const error = await rejection(loadAwsExport(env(), { secrets: secretsClient() }));
    expect(error.message).toMatch(/field:user pseudonymize, which needs a key: set LOGEXPORT_HMAC_KEY .*LOGEXPORT_HMAC_KEY_SECRET_ARN/);
    expect(secrets.calls.length).toBe(calls);
  });

  it("accepts only a full secret ARN, and not together with LOGEXPORT_HMAC_KEY", () => {
    for (const bad of [
      "logexport/hmac-key",
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:logexport/hmac-key",
      "arn:aws:kms:us-east-1:123456789012:key/logexport-AbCdEf",
    ]) {
      expect(() => loadAwsExportSettings(env({ LOGEXPORT_HMAC_KEY_SECRET_ARN: bad })), bad).toThrow(
        /LOGEXPORT_HMAC_KEY_SECRET_ARN must be the full ARN of a Secrets Manager secret/,
      );
    }
    expect(
      loadAwsExportSettings(env({ LOGEXPORT_HMAC_KEY_SECRET_ARN: "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:a/b_c+d=e.f@g-AbC123" }))
        .hmacKeySecretArn,
    ).toMatch(/^arn:aws-us-gov:/);
    expect(() => loadAwsExportSettings(env({ LOGEXPORT_HMAC_KEY_SECRET_ARN: keyArn, LOGEXPORT_HMAC_KEY: KEY.toString("hex") }))).toThrow(
      /set LOGEXPORT_HMAC_KEY or LOGEXPORT_HMAC_KEY_SECRET_ARN, not both/,
    );
  });
});
