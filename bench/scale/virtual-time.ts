/**
 * Virtual time for the capacity simulation: the engine's sleeps (retry backoff, lease polling), the
 * fake service's latency and queue timeouts, and the queue host's polling all wait on this clock.
 * `run` advances it from event to event; between two events every promise chain runs to its next
 * wait (nothing in the simulation does real I/O or uses real timers), so the order is deterministic
 * for a given seed of Math.random and a simulated day passes in seconds.
 */
import type { Clock } from "../../shared/core/time.js";
import type { LimitTimers } from "../../test/helpers/service-limits.js";

interface Timer {
  readonly atMs: number;
  readonly seq: number;
  fire: (() => void) | undefined;
}

export class VirtualTime implements Clock, LimitTimers {
  private nowMs: number;
  private seq = 0;
  private readonly heap: Timer[] = [];
  /** Events fired so far (a measure of the simulation's own work). */
  events = 0;

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: Timer = { atMs: this.nowMs + Math.max(0, ms), seq: this.seq++, fire: fn };
    this.push(timer);
    return () => {
      timer.fire = undefined;
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.after(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Fires events in time order until `untilMs` or until `stop()` says so; awaits every chain between two instants. */
  async run(untilMs: number, stop: () => boolean = () => false): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (stop()) return;
      const next = this.heap[0];
      if (next === undefined || next.atMs > untilMs) {
        this.nowMs = Math.max(this.nowMs, untilMs);
        return;
      }
      this.nowMs = next.atMs;
      // Everything due at this instant, then one settling pass.
      while (this.heap[0] !== undefined && (this.heap[0]?.atMs ?? Infinity) <= this.nowMs) {
        const timer = this.pop();
        if (timer?.fire !== undefined) {
          this.events += 1;
          timer.fire();
        }
      }
    }
  }

  private less(a: Timer, b: Timer): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i] as Timer, h[parent] as Timer)) break;
      [h[i], h[parent]] = [h[parent] as Timer, h[i] as Timer];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l] as Timer, h[m] as Timer)) m = l;
        if (r < h.length && this.less(h[r] as Timer, h[m] as Timer)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Timer, h[i] as Timer];
        i = m;
      }
    }
    return top;
  }
}
