import type { LogSource, QueryOptions } from "../core/ports.js";

/** Slots handed out in arrival order; a waiter whose signal aborts leaves the line without taking one. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(count: number) {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`query slots must be a whole number ≥ 1, got ${count}`);
    this.free = count;
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener("abort", abort);
        resolve();
      };
      const abort = (): void => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        reject(signal?.reason);
      };
      this.waiting.push(grant);
      signal?.addEventListener("abort", abort, { once: true });
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.free += 1;
    else next();
  }

  async run<T>(task: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }
}

/**
 * The source with at most `limit` of its queries in flight at once in this process; the others wait
 * their turn. A part query holds its slot until its response starts: the service has run the query
 * by then, and reading the rows does not count against its concurrency.
 */
export function limitConcurrentQueries(source: LogSource, limit: number): LogSource {
  const slots = new Slots(limit);
  const scanPart = source.scanPart?.bind(source);
  const statistics = source.statistics?.bind(source);
  return {
    description: source.description,
    histogramQuery: (table, range, binMs) => source.histogramQuery(table, range, binMs),
    histogram: (table, range, binMs, options: QueryOptions = {}) => slots.run(() => source.histogram(table, range, binMs, options), options.abortSignal),
    openPart: (table, range, options: QueryOptions = {}) => slots.run(() => source.openPart(table, range, options), options.abortSignal),
    ...(scanPart === undefined ? {} : { scanPart: (table, range, options: QueryOptions = {}) => slots.run(() => scanPart(table, range, options), options.abortSignal) }),
    ...(statistics === undefined ? {} : { statistics }),
  };
}
