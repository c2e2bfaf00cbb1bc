import { RestError } from "@azure/core-rest-pipeline";
import { LogExportError, SourceQueryError } from "../../core/errors.js";

const RETRIABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
// PARSE_ERROR: the SDK's name for a body that broke off mid-read ("aborted").
const RETRIABLE_CODES = new Set([
  "PARSE_ERROR",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "REQUEST_SEND_ERROR",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
]);

function code(error: unknown): string | undefined {
  const value = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof value === "string" ? value : undefined;
}

/** Whether the Log Analytics API may answer differently if asked again (after the SDK's own retries). */
export function isRetriableQueryError(error: unknown): boolean {
  if (error instanceof RestError) return RETRIABLE_CODES.has(error.code ?? "") || (error.statusCode !== undefined && RETRIABLE_STATUS.has(error.statusCode));
  if (error instanceof Error && error.message === "aborted") return true;
  const c = code(error);
  return c !== undefined && RETRIABLE_CODES.has(c);
}

/** A Retry-After header (delay in seconds, or an HTTP date) as milliseconds from `nowMs`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, nowMs: number = Date.now()): number | undefined {
  const text = header?.trim();
  if (text === undefined || text === "") return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Wraps any failure of a query in one error that names the query's purpose, says whether to retry, and how long the service asked to wait. */
export function queryError(what: string, error: unknown): LogExportError {
  if (error instanceof LogExportError) return error;
  const status = error instanceof RestError && error.statusCode !== undefined ? ` (HTTP ${error.statusCode})` : "";
  const message = error instanceof Error ? error.message : String(error);
  const after = error instanceof RestError ? retryAfterMs(error.response?.headers.get("retry-after")) : undefined;
  return new SourceQueryError(`${what} failed${status}: ${message}`, {
    retriable: isRetriableQueryError(error),
    cause: error,
    ...(after === undefined ? {} : { retryAfterMs: after }),
  });
}

/** The service's error object, e.g. `{ code, message, innererror }`, as one line. */
export function describeServiceError(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { code: c, message, innererror } = error as { code?: unknown; message?: unknown; innererror?: unknown };
  const inner = typeof innererror === "object" && innererror !== null ? `; ${describeServiceError(innererror)}` : "";
  return `${String(c ?? "Error")}: ${String(message ?? "")}${inner}`;
}
