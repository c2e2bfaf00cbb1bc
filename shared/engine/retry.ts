import { LogExportError } from "../core/errors.js";
import { sleep } from "../core/sleep.js";

export function isRetriable(error: unknown): boolean {
  return error instanceof LogExportError && error.retriable;
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
}

/** Runs `step` until it succeeds, a non-retriable error occurs, or attempts run out; exponential backoff between tries. */
export async function withRetries<T>(policy: RetryPolicy, step: (attempt: number) => Promise<T>, onRetry: (error: unknown, attempt: number) => void): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !isRetriable(error)) throw error;
      onRetry(error, attempt);
      await sleep(policy.baseDelayMs * 2 ** (attempt - 1));
    }
  }
}
