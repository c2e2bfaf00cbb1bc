import type { LeaseStore } from "../../shared/core/ports.js";
import type { Clock } from "../../shared/core/time.js";

/** Blob-lease semantics in memory on any clock: a lease is held until released or until its length passes without a renewal. */
export class MemoryLeaseStore implements LeaseStore {
  private readonly held = new Map<string, { leaseId: string; untilMs: number; durationMs: number }>();
  private next = 0;
  /** Storage requests made (acquire attempts, renewals, releases), for cost accounting. */
  operations = 0;

  constructor(private readonly clock: Clock) {}

  async tryAcquire(name: string, durationSeconds: number): Promise<string | undefined> {
    this.operations += 1;
    const current = this.held.get(name);
    if (current !== undefined && current.untilMs > this.clock.now()) return undefined;
    this.next += 1;
    const leaseId = `lease-${this.next}`;
    this.held.set(name, { leaseId, untilMs: this.clock.now() + durationSeconds * 1000, durationMs: durationSeconds * 1000 });
    return leaseId;
  }

  async renew(name: string, leaseId: string): Promise<void> {
    this.operations += 1;
    const current = this.held.get(name);
    if (current?.leaseId !== leaseId) throw new Error(`lease ${leaseId} on ${name} is lost`);
    current.untilMs = this.clock.now() + current.durationMs;
  }

  async release(name: string, leaseId: string): Promise<void> {
    this.operations += 1;
    if (this.held.get(name)?.leaseId === leaseId) this.held.delete(name);
  }

  /** Names leased now. */
  leased(): string[] {
    return [...this.held]
      .filter(([, lease]) => lease.untilMs > this.clock.now())
      .map(([name]) => name)
      .sort();
  }
}
