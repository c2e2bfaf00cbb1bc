import { S3ServiceException } from "@aws-sdk/client-s3";
import { StorageError } from "../../core/errors.js";

const RETRIABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Codes worth repeating whatever their status: S3 answers RequestTimeout with 400 and OperationAborted with 409. */
const RETRIABLE_CODES = new Set([
  "SlowDown",
  "RequestTimeout",
  "InternalError",
  "ServiceUnavailable",
  "OperationAborted",
  "Throttling",
  "ThrottlingException",
  "RequestThrottled",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
]);

/** What a dropped or refused connection looks like from the SDK's Node handler. */
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeoutException"]);

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The HTTP status of an SDK error; network failures carry `$metadata` without one. */
export function statusOf(error: unknown): number | undefined {
  const status = field(field(error, "$metadata"), "httpStatusCode");
  return typeof status === "number" ? status : undefined;
}

/** S3's error code (`NoSuchKey`, `SlowDown`, …): the SDK puts it in `name`. */
export function codeOf(error: unknown): string | undefined {
  return error instanceof S3ServiceException ? error.name : undefined;
}

function isNetworkFailure(error: unknown): boolean {
  // The SDK sometimes wraps the socket error, so look a few causes deep.
  for (let current = error, depth = 0; current !== undefined && depth < 4; current = field(current, "cause"), depth += 1) {
    const code = field(current, "code");
    const name = field(current, "name");
    if ((typeof code === "string" && NETWORK_CODES.has(code)) || (typeof name === "string" && NETWORK_NAMES.has(name))) return true;
  }
  return false;
}

export function isRetriable(error: unknown): boolean {
  if (error instanceof S3ServiceException && (error.$retryable !== undefined || RETRIABLE_CODES.has(error.name))) return true;
  const status = statusOf(error);
  if (status !== undefined) return RETRIABLE_STATUS.has(status);
  return isNetworkFailure(error);
}

/** A missing key; a missing bucket is a configuration error, not an empty store (we never create buckets). */
export function isMissingKey(error: unknown): boolean {
  const code = codeOf(error);
  return code === "NoSuchKey" || (statusOf(error) === 404 && code !== "NoSuchBucket");
}

/** The write's condition did not hold (412), or a concurrent conditional write won the race (409). */
export function isConditionFailed(error: unknown): boolean {
  const status = statusOf(error);
  return status === 412 || (status === 409 && codeOf(error) === "ConditionalRequestConflict");
}

/** `what` names the operation and the object, e.g. `reading s3://bucket/key`. */
export function s3StorageError(what: string, error: unknown): StorageError {
  const status = statusOf(error);
  const code = codeOf(error);
  const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
  const detail = [status === undefined ? undefined : `HTTP ${status}`, code].filter((part) => part !== undefined).join(" ");
  return new StorageError(`${what} failed${detail === "" ? "" : ` (${detail})`}: ${message || (error instanceof Error ? error.name : "no message")}`, {
    retriable: isRetriable(error),
    cause: error,
  });
}

/** Runs one SDK call, turning its failure into a StorageError about `what`. */
export async function attempt<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw s3StorageError(what, error);
  }
}
