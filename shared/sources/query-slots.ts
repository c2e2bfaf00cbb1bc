import type { LeaseStore, LogSource, QueryLane, QueryOptions } from "../core/ports.js";
import type { Clock } from "../core/time.js";
import { sleepOn } from "../engine/retry.js";

/** A bound on queries in flight: `run` waits for a slot of the lane, runs the task, gives the slot back. */
export interface QuerySlots {
  run<T>(lane: QueryLane, task: () => Promise<T>, signal: AbortSignal | undefined): Promise<T>;
}

/**
 * Slots of one process, handed out in arrival order, scheduled queries first; a backfill query never takes
 * the last free one (with 2 or more). A waiter whose signal aborts leaves the line without taking one.
 */
export class ProcessSlots implements QuerySlots {
  private free: number;
  private readonly reserve: number;
  private readonly waiting: Record<QueryLane, (() => void)[]> = { scheduled: [], backfill: [] };

  constructor(count: number) {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`query slots must be a whole number ≥ 1, got ${count}`);
    this.free = count;
    this.reserve = count > 1 ? 1 : 0;
  }

  private available(lane: QueryLane): boolean {
    return lane === "scheduled" ? this.free > 0 : this.free > this.reserve;
  }

  private acquire(lane: QueryLane, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.available(lane) && (lane === "scheduled" || this.waiting.scheduled.length === 0)) {
      this.free -= 1;
      return Promise.resolve();
    }
    const line = this.waiting[lane];
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener("abort", abort);
        resolve();
      };
      const abort = (): void => {
        line.splice(line.indexOf(grant), 1);
        reject(signal?.reason);
      };
      line.push(grant);
      signal?.addEventListener("abort", abort, { once: true });
    });
  }

  private release(): void {
    this.free += 1;
    for (const lane of ["scheduled", "backfill"] as const) {
      while (this.waiting[lane].length > 0 && this.available(lane)) {
        this.free -= 1;
        this.waiting[lane].shift()?.();
      }
    }
  }

  async run<T>(lane: QueryLane, task: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    await this.acquire(lane, signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }
}

export interface LeasedSlotsOptions {
  /** Queries in flight for the identity, every instance together (LOGEXPORT_MAX_CONCURRENT_QUERIES). */
  readonly count: number;
  readonly clock: Clock;
  /** Object names are `<prefix><index>`. */
  readonly prefix?: string;
  /** A holder that dies frees its slot after this long (Blob leases: 15-60 s). */
  readonly leaseSeconds?: number;
  /** Wait between rounds over the slots when all are taken: doubles from `minPollMs` to `maxPollMs`, with jitter. */
  readonly minPollMs?: number;
  readonly maxPollMs?: number;
}

/**
 * One bound shared by every instance: slot i is a lease on the object `<prefix>i`; a query runs while
 * its instance holds one, renewing it, and releases it when done. A backfill's query never takes slot 0,
 * so with 2 or more slots a scheduled window always finds one within a lease's length, whatever the
 * backfill does. A crashed holder's lease expires on its own.
 */
export class LeasedQuerySlots implements QuerySlots {
  private readonly prefix: string;
  private readonly leaseSeconds: number;
  private readonly minPollMs: number;
  private readonly maxPollMs: number;
  /** Lease operations made, for cost accounting (each is one storage request). */
  operations = 0;

  constructor(
    private readonly leases: LeaseStore,
    private readonly options: LeasedSlotsOptions,
  ) {
    if (!Number.isSafeInteger(options.count) || options.count < 1) throw new RangeError(`query slots must be a whole number ≥ 1, got ${options.count}`);
    this.prefix = options.prefix ?? "query-slots/slot-";
    this.leaseSeconds = options.leaseSeconds ?? 60;
    this.minPollMs = options.minPollMs ?? 250;
    this.maxPollMs = options.maxPollMs ?? 4_000;
  }

  async run<T>(lane: QueryLane, task: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const held = await this.acquire(lane, signal);
    const stop = new AbortController();
    const renewing = this.keepRenewed(held, stop.signal);
    try {
      return await task();
    } finally {
      stop.abort();
      await renewing;
      this.operations += 1;
      // A release that fails leaves a lease that expires by itself: the slot is lost for at most its length.
      await this.leases.release(held.name, held.leaseId).catch(() => undefined);
    }
  }

  private lane(lane: QueryLane): number[] {
    const first = lane === "backfill" && this.options.count > 1 ? 1 : 0;
    return Array.from({ length: this.options.count - first }, (_, i) => i + first);
  }

  private async acquire(lane: QueryLane, signal: AbortSignal | undefined): Promise<{ name: string; leaseId: string }> {
    const slots = this.lane(lane);
    for (let round = 0; ; round += 1) {
      signal?.throwIfAborted();
      // Start at a random slot so instances do not all fight over the first.
      const start = Math.floor(Math.random() * slots.length);
      for (let k = 0; k < slots.length; k += 1) {
        const name = `${this.prefix}${slots[(start + k) % slots.length]}`;
        this.operations += 1;
        const leaseId = await this.leases.tryAcquire(name, this.leaseSeconds);
        if (leaseId !== undefined) return { name, leaseId };
      }
      const step = Math.min(this.minPollMs * 2 ** round, this.maxPollMs);
      await sleepOn(this.options.clock, step / 2 + Math.random() * (step / 2), signal);
    }
  }

  /** Renews at a third of the lease's length until stopped; a renewal that fails ends the renewing (the query finishes anyway). */
  private async keepRenewed(held: { name: string; leaseId: string }, stop: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await sleepOn(this.options.clock, (this.leaseSeconds * 1000) / 3, stop);
      } catch {
        return;
      }
      this.operations += 1;
      try {
        await this.leases.renew(held.name, held.leaseId);
      } catch {
        return;
      }
    }
  }
}

/** Both bounds: this process's (so its queries queue here, not as lease polls) and then the identity's. */
export function chainSlots(local: QuerySlots, shared: QuerySlots): QuerySlots {
  return { run: (lane, task, signal) => local.run(lane, () => shared.run(lane, task, signal), signal) };
}

/**
 * The source with each query run inside a slot of `lane`. A part query holds its slot until its
 * response starts: the service has run the query by then, and reading the rows does not count
 * against its concurrency.
 */
export function limitConcurrentQueries(source: LogSource, slots: QuerySlots, lane: QueryLane = "scheduled"): LogSource {
  const scanPart = source.scanPart?.bind(source);
  const statistics = source.statistics?.bind(source);
  return {
    description: source.description,
    histogramQuery: (table, range, binMs) => source.histogramQuery(table, range, binMs),
    histogram: (table, range, binMs, options: QueryOptions = {}) => slots.run(lane, () => source.histogram(table, range, binMs, options), options.abortSignal),
    openPart: (table, range, options: QueryOptions = {}) => slots.run(lane, () => source.openPart(table, range, options), options.abortSignal),
    ...(scanPart === undefined
      ? {}
      : { scanPart: (table, range, options: QueryOptions = {}) => slots.run(lane, () => scanPart(table, range, options), options.abortSignal) }),
    ...(statistics === undefined ? {} : { statistics }),
  };
}
