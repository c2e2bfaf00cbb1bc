/**
 * A wire-level fake of AWS Secrets Manager's GetSecretValue (AWS JSON 1.1: `POST /`,
 * `x-amz-target: secretsmanager.GetSecretValue`, `content-type: application/x-amz-json-1.1`), for the
 * real `@aws-sdk/client-secrets-manager` client. Secrets are found by full ARN or by name, as the
 * service does; the response carries `ARN`, `Name`, `VersionId`, `VersionStages`, `CreatedDate`
 * (epoch seconds) and `SecretString` or `SecretBinary` (base64 on the wire). Errors are status 400
 * (500 for InternalServiceError) with `{"__type", "Message"}`.
 *
 * Source: docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html (request,
 * response and error names) and CommonErrors.html (AccessDeniedException).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";
import { fastRetryStrategy } from "./fake-cloudwatch-logs.js";
import { listenOnLoopback } from "./loopback-server.js";

const TARGET = "secretsmanager.GetSecretValue";
const JSON_TYPE = "application/x-amz-json-1.1";
const REGION = "us-east-1";
const ACCOUNT_ID = "123456789012";

export type SecretsManagerErrorType =
  | "ResourceNotFoundException"
  | "AccessDeniedException"
  | "DecryptionFailure"
  | "InvalidRequestException"
  | "InternalServiceError";

export interface FakeSecret {
  readonly name: string;
  readonly secretString?: string;
  readonly secretBinary?: Uint8Array;
}

export interface SecretsManagerCall {
  readonly target: string;
  readonly secretId: string | undefined;
  readonly status: number;
  readonly error?: string;
}

export interface FakeSecretsManager {
  /** `http://127.0.0.1:<port>`: the SDK `endpoint`. */
  readonly url: string;
  readonly calls: readonly SecretsManagerCall[];
  /** Stores a secret and returns its full ARN (name plus the service's six-character suffix). */
  put(secret: FakeSecret): string;
  /** The next `times` requests fail with this error instead of being answered. */
  fail(type: SecretsManagerErrorType, times?: number): void;
  close(): Promise<void>;
}

const MESSAGES: Readonly<Record<SecretsManagerErrorType, string>> = {
  ResourceNotFoundException: "Secrets Manager can't find the specified secret.",
  AccessDeniedException: "User is not authorized to perform: secretsmanager:GetSecretValue on resource",
  DecryptionFailure: "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
  InvalidRequestException: "You can't perform this operation on the secret because it was marked for deletion.",
  InternalServiceError: "An error occurred on the server side.",
};

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: Readonly<Record<string, unknown>>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(text), "x-amzn-requestid": randomUUID() });
  res.end(text);
}

function suffix(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return Array.from({ length: 6 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, FakeSecret & { readonly arn: string; readonly versionId: string }>();
  const calls: SecretsManagerCall[] = [];
  const faults: SecretsManagerErrorType[] = [];

  async function answer(req: IncomingMessage, call: { target: string; secretId?: string }): Promise<Record<string, unknown>> {
    const { target } = call;
    if (req.method !== "POST" || target !== TARGET)
      throw new ServiceError("UnknownOperationException", `The fake does not implement ${req.method ?? ""} ${target || "(no x-amz-target)"}`);
    if (!String(req.headers["content-type"] ?? "").startsWith(JSON_TYPE)) throw new ServiceError("SerializationException", `content-type must be ${JSON_TYPE}`);
    if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 "))
      throw new ServiceError("MissingAuthenticationTokenException", "Missing Authentication Token");
    let request: unknown;
    try {
      request = JSON.parse(await readBody(req));
    } catch {
      throw new ServiceError("SerializationException", "body is not JSON");
    }
    const secretId =
      typeof request === "object" && request !== null && "SecretId" in request && typeof request.SecretId === "string" ? request.SecretId : undefined;
    if (secretId !== undefined) call.secretId = secretId;
    const fault = faults.shift();
    if (fault !== undefined) throw new ServiceError(fault, MESSAGES[fault], fault === "InternalServiceError" ? 500 : 400);
    if (secretId === undefined || secretId === "") throw new ServiceError("InvalidParameterException", "SecretId is required.");
    const secret = secrets.get(secretId) ?? [...secrets.values()].find((s) => s.name === secretId);
    if (secret === undefined) throw new ServiceError("ResourceNotFoundException", MESSAGES.ResourceNotFoundException);
    const value =
      secret.secretString !== undefined
        ? { SecretString: secret.secretString }
        : { SecretBinary: Buffer.from(secret.secretBinary ?? new Uint8Array()).toString("base64") };
    return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId, VersionStages: ["AWSCURRENT"], CreatedDate: 1_767_225_600, ...value };
  }

  const server = createServer((req, res) => {
    const call: { target: string; secretId?: string } = { target: String(req.headers["x-amz-target"] ?? "") };
    answer(req, call).then(
      (body) => {
        calls.push({ target: call.target, secretId: call.secretId, status: 200 });
        send(res, 200, body);
      },
      (error: unknown) => {
        const failure = error instanceof ServiceError ? error : new ServiceError("InternalFailure", `fake server bug: ${String(error)}`, 500);
        calls.push({ target: call.target, secretId: call.secretId, status: failure.status, error: failure.type });
        send(res, failure.status, { __type: failure.type, Message: failure.message });
      },
    );
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    calls,
    put(secret) {
      const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${secret.name}-${suffix()}`;
      secrets.set(arn, { ...secret, arn, versionId: randomUUID() });
      return arn;
    },
    fail(type, times = 1) {
      for (let i = 0; i < times; i += 1) faults.push(type);
    },
    close: listening.close,
  };
}

/** Client options pointing the real SDK at the fake (dummy credentials, fast retries). */
export function fakeSecretsManagerConfig(fake: FakeSecretsManager, maxAttempts = 2): SecretsManagerClientConfig {
  return {
    region: REGION,
    endpoint: fake.url,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts,
    retryStrategy: fastRetryStrategy(maxAttempts),
  };
}
