import { LogExportError, SourceQueryError } from "../../core/errors.js";

const RETRIABLE_NAMES = new Set([
  "ThrottlingException",
  "LimitExceededException",
  "ServiceUnavailableException",
  "TimeoutError",
  "RequestTimeout",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
]);

/** The service refused the request for its limits (concurrent queries, request rate): nothing happened, so it can be sent again after a wait. */
export function isLimitRefusal(error: unknown): boolean {
  const name = typeof error === "object" && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === "LimitExceededException" || name === "ThrottlingException";
}

/** After the SDK's own retries: throttling, limits, 5xx and dropped connections may pass on a later try; bad queries and missing groups will not. */
export function isRetriableAwsError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code, $metadata } = error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = typeof $metadata?.httpStatusCode === "number" ? $metadata.httpStatusCode : undefined;
  return (
    (typeof name === "string" && RETRIABLE_NAMES.has(name)) ||
    (typeof code === "string" && RETRIABLE_NAMES.has(code)) ||
    (status !== undefined && status >= 500)
  );
}

export function awsQueryError(what: string, error: unknown): LogExportError {
  if (error instanceof LogExportError) return error;
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return new SourceQueryError(`${what} failed: ${name}: ${message}`, { retriable: isRetriableAwsError(error), cause: error });
}
