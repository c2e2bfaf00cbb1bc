/**
 * The Log Analytics query API's per-user throttling, as documented in "Azure Monitor service limits",
 * section "User query throttling" (MicrosoftDocs/azure-docs includes/azure-monitor-limits-log-queries.md):
 * 5 concurrent queries per user; any other query waits in a queue; a query that waits more than
 * 3 minutes, or arrives when 200 are queued, is refused with 429; at most 200 queries per 30 s.
 * Shared by the wire-level fake (test/helpers/fake-log-analytics.ts) and the capacity simulation
 * (bench/scale/), on whatever timers they run: real ones, manual ones in tests, virtual ones in the bench.
 */

export interface LimitTimers {
  now(): number;
  /** Calls `fn` after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const realTimers: LimitTimers = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** Timers that move only when told: `advance(ms)` fires what falls due, in time order. */
export class ManualTimers implements LimitTimers {
  private nowMs: number;
  private readonly pending: { atMs: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  after(ms: number, fn: () => void): () => void {
    const entry = { atMs: this.nowMs + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.push(entry);
    return () => {
      const i = this.pending.indexOf(entry);
      if (i >= 0) this.pending.splice(i, 1);
    };
  }

  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      this.pending.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const next = this.pending[0];
      if (next === undefined || next.atMs > until) break;
      this.pending.shift();
      this.nowMs = next.atMs;
      next.fn();
    }
    this.nowMs = until;
  }
}

export interface QueryLimits {
  readonly concurrentQueries: number;
  readonly queueLength: number;
  readonly queueWaitMs: number;
  readonly requestsPerWindow: number;
  readonly rateWindowMs: number;
  /** Rows and serialized bytes one result may hold; the rest is cut off with a partial error. */
  readonly maxResultRows: number;
  readonly maxResultBytes: number;
}

export const LOG_ANALYTICS_LIMITS: QueryLimits = {
  concurrentQueries: 5,
  queueLength: 200,
  queueWaitMs: 180_000,
  requestsPerWindow: 200,
  rateWindowMs: 30_000,
  maxResultRows: 500_000,
  maxResultBytes: 64 * 1024 * 1024,
};

/** Why a query was refused with 429, and the Retry-After the service would send (whole seconds). */
export class Throttled extends Error {
  constructor(
    readonly reason: "rate" | "queue-full" | "queue-timeout",
    readonly retryAfterSeconds: number,
  ) {
    super(`throttled (${reason}); retry after ${retryAfterSeconds} s`);
  }
}

export interface Admission {
  /** Milliseconds the query waited in the concurrency queue. */
  readonly waitedMs: number;
  release(): void;
}

interface Waiter {
  readonly enqueuedMs: number;
  readonly grant: () => void;
  readonly cancel: () => void;
}

/** One identity's throttling state: admit() resolves when the query may run, or rejects with Throttled. */
export class IdentityLimiter {
  private running = 0;
  private readonly queue: Waiter[] = [];
  /** Times of accepted requests inside the current rate window, oldest first. */
  private readonly accepted: number[] = [];
  readonly counts = { admitted: 0, queued: 0, throttled: { rate: 0, "queue-full": 0, "queue-timeout": 0 } };

  constructor(
    readonly limits: QueryLimits = LOG_ANALYTICS_LIMITS,
    private readonly timers: LimitTimers = realTimers,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  admit(): Promise<Admission> {
    const nowMs = this.timers.now();
    while (this.accepted.length > 0 && (this.accepted[0] ?? 0) <= nowMs - this.limits.rateWindowMs) this.accepted.shift();
    if (this.accepted.length >= this.limits.requestsPerWindow) {
      const oldest = this.accepted[0] ?? nowMs;
      return this.refuse("rate", oldest + this.limits.rateWindowMs - nowMs);
    }
    if (this.running < this.limits.concurrentQueries) {
      this.accepted.push(nowMs);
      return Promise.resolve(this.start(0));
    }
    if (this.queue.length >= this.limits.queueLength) return this.refuse("queue-full", this.limits.queueWaitMs / 10);
    this.accepted.push(nowMs);
    this.counts.queued += 1;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        enqueuedMs: nowMs,
        grant: () => {
          cancelTimeout();
          resolve(this.start(this.timers.now() - nowMs));
        },
        cancel: () => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          this.counts.throttled["queue-timeout"] += 1;
          reject(new Throttled("queue-timeout", 1));
        },
      };
      const cancelTimeout = this.timers.after(this.limits.queueWaitMs, waiter.cancel);
      this.queue.push(waiter);
    });
  }

  private refuse(reason: Throttled["reason"], retryAfterMs: number): Promise<Admission> {
    this.counts.throttled[reason] += 1;
    return Promise.reject(new Throttled(reason, Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }

  private start(waitedMs: number): Admission {
    this.running += 1;
    this.counts.admitted += 1;
    let released = false;
    return {
      waitedMs,
      release: () => {
        if (released) return;
        released = true;
        this.running -= 1;
        this.queue.shift()?.grant();
      },
    };
  }
}

/** The time one query takes at the service, by what it reads and returns (docs/capacity.md states the constants and why). */
export interface LatencyModel {
  readonly baseMs: number;
  /** Bytes of the table the query reads per ms (the time filter limits it to the range's data). */
  readonly scanBytesPerMs: number;
  /** Bytes of result the service serializes and sends per ms. */
  readonly resultBytesPerMs: number;
}

/** 0.5 s a query, 1 GB/s scanned, 50 MB/s returned: docs/capacity.md gives the source or the assumption behind each. */
export const DEFAULT_LATENCY: LatencyModel = { baseMs: 500, scanBytesPerMs: 1_000_000, resultBytesPerMs: 50_000 };

export function queryLatencyMs(model: LatencyModel, bytesScanned: number, bytesReturned: number): number {
  return model.baseMs + bytesScanned / model.scanBytesPerMs + bytesReturned / model.resultBytesPerMs;
}
