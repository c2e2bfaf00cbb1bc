import { setTimeout as delay } from "node:timers/promises";
import { LogExportError } from "../core/errors.js";
import type { Clock } from "../core/time.js";

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

/** A Retry-After longer than this is not believed (a bad header must not park a worker for hours). */
export const MAX_RETRY_AFTER_MS = 600_000;

/**
 * The wait before the next attempt: the exponential backoff, or, when the service said how long
 * (Retry-After on a 429 or 503), at least that plus up to a quarter more at random, so the callers it
 * throttled together do not all come back in the same second.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, error: unknown): number {
  const backoff = backoffMs(policy, attempt);
  const asked = error instanceof LogExportError ? error.retryAfterMs : undefined;
  if (asked === undefined || !(asked > 0)) return backoff;
  const told = Math.min(asked, MAX_RETRY_AFTER_MS);
  return Math.max(backoff, Math.round(told * (1 + Math.random() / 4)));
}

/** Waits `ms` on the clock when it has its own time (a simulation), else on real timers. */
export function sleepOn(clock: Clock | undefined, ms: number, signal?: AbortSignal): Promise<void> {
  if (clock?.sleep !== undefined) return clock.sleep(ms, signal);
  return delay(ms, undefined, signal === undefined ? {} : { signal });
}

/**
 * Runs `step` until it succeeds, a non-retriable error occurs, or attempts run out. An abort
 * ends the wait between attempts at once and is thrown as the signal's reason.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  step: (attempt: number) => Promise<T>,
  onRetry: (error: unknown, attempt: number) => void,
  signal?: AbortSignal,
  clock?: Clock,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !isRetriable(error) || signal?.aborted === true) throw error;
      onRetry(error, attempt);
      await sleepOn(clock, retryDelayMs(policy, attempt, error), signal);
    }
  }
}
