import { setTimeout as delay } from "node:timers/promises";
import { LogExportError } from "../core/errors.js";

export function isRetriable(error: unknown): boolean {
  return error instanceof LogExportError && error.retriable;
}

/** From the settings of each cloud (part attempts, backoff base); the same rule everywhere. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  /** The doubling stops here. */
  readonly maxDelayMs: number;
}

/** Exponential backoff with "equal jitter": half the step fixed, half random, so parts that failed together do not retry together. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const step = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(step / 2 + Math.random() * (step / 2));
}

/**
 * Runs `step` until it succeeds, a non-retriable error occurs, or attempts run out. An abort
 * ends the wait between attempts at once and is thrown as the signal's reason.
 */
export async function withRetries<T>(policy: RetryPolicy, step: (attempt: number) => Promise<T>, onRetry: (error: unknown, attempt: number) => void, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !isRetriable(error) || signal?.aborted === true) throw error;
      onRetry(error, attempt);
      await delay(backoffMs(policy, attempt), undefined, signal === undefined ? {} : { signal });
    }
  }
}
