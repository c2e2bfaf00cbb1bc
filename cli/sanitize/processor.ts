import type { Sanitizer } from "../../shared/sanitize/sanitizer.js";
import { sanitizeBatch, type LineOptions } from "./lines.js";
import type { WorkerPool } from "./pool.js";

export interface ProcessedBatch {
  readonly output: Uint8Array;
  readonly lines: number;
}

/** Sanitizes batches of whole lines; several may be under way at once, each result is for its own batch. */
export interface BatchProcessor {
  readonly threads: number;
  /** Takes ownership of `batch` (it may be transferred to another thread). Rejects with StrictLineError for a line --strict refuses. */
  process(batch: Uint8Array<ArrayBuffer>): Promise<ProcessedBatch>;
  /** Matches per rule so far, summed over threads. */
  counts(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/** One thread: the batch is sanitized on the caller's thread. */
export function inlineProcessor(sanitizer: Sanitizer, options: LineOptions): BatchProcessor {
  return {
    threads: 1,
    process: async (batch) => sanitizeBatch(sanitizer, batch, options),
    counts: () => sanitizer.counts(),
    close: async () => undefined,
  };
}

/**
 * The caller's thread and a pool: workers take batches while they have room, the caller's thread sanitizes the rest.
 * The caller's thread works from the first batch, while workers still load, and one thread fewer has to start.
 */
export function sharedProcessor(inline: BatchProcessor, pool: WorkerPool): BatchProcessor {
  return {
    threads: inline.threads + pool.threads,
    process: (batch) => (pool.hasRoom() ? pool.process(batch) : inline.process(batch)),
    counts: () => sumCounts([inline.counts(), pool.counts()]),
    close: () => pool.close(),
  };
}

export function sumCounts(parts: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const part of parts) for (const [rule, count] of Object.entries(part)) total[rule] = (total[rule] ?? 0) + count;
  return total;
}
