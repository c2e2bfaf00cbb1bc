import { describe, expect, it } from "vitest";
import { LeasedQuerySlots } from "../../../shared/sources/query-slots.js";
import { MemoryLeaseStore } from "../../helpers/memory-leases.js";

/** A clock whose sleeps end only when the test moves it. */
function manualClock() {
  let nowMs = 0;
  const sleepers: { untilMs: number; wake: () => void }[] = [];
  return {
    now: () => nowMs,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        const sleeper = { untilMs: nowMs + ms, wake: resolve };
        sleepers.push(sleeper);
        signal?.addEventListener("abort", () => {
          sleepers.splice(sleepers.indexOf(sleeper), 1);
          reject(signal.reason);
        });
      }),
    async advance(ms: number) {
      nowMs += ms;
      for (const s of sleepers.filter((x) => x.untilMs <= nowMs)) {
        sleepers.splice(sleepers.indexOf(s), 1);
        s.wake();
      }
      for (let i = 0; i < 20; i += 1) await Promise.resolve();
    },
  };
}

function gate() {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
}

describe("LeasedQuerySlots: one bound for every instance", () => {
  it("lets no more than `count` queries of several instances run at once", async () => {
    const clock = manualClock();
    const leases = new MemoryLeaseStore(clock);
    // Three instances, each with its own slots object over the same leases.
    const instances = [0, 1, 2].map(() => new LeasedQuerySlots(leases, { count: 4, clock }));
    const gates = Array.from({ length: 9 }, gate);
    let running = 0;
    let most = 0;
    const runs = gates.map((g, i) =>
      (instances[i % 3] as LeasedQuerySlots).run(
        "scheduled",
        async () => {
          running += 1;
          most = Math.max(most, running);
          await g.opened;
          running -= 1;
        },
        undefined,
      ),
    );
    await settle();
    expect(running).toBe(4);
    let finished = 0;
    for (const r of runs) void r.then(() => (finished += 1));
    for (const g of gates) g.open();
    // Waiting instances poll (at most every 4 s): move time until every query has run.
    for (let i = 0; i < 100 && finished < runs.length; i += 1) await clock.advance(5_000);
    await Promise.all(runs);
    expect(most).toBe(4);
    expect(leases.leased()).toEqual([]);
  });

  it("never gives slot 0 to a backfill query: a scheduled query finds it while backfill holds the rest", async () => {
    const clock = manualClock();
    const leases = new MemoryLeaseStore(clock);
    const slots = new LeasedQuerySlots(leases, { count: 4, clock });
    const backfill = Array.from({ length: 6 }, gate);
    const backfillRuns = backfill.map((g) => slots.run("backfill", () => g.opened, undefined));
    await settle();
    expect(leases.leased()).toEqual(["query-slots/slot-1", "query-slots/slot-2", "query-slots/slot-3"]);
    let scheduledRan = false;
    await slots.run(
      "scheduled",
      async () => {
        scheduledRan = true;
      },
      undefined,
    );
    expect(scheduledRan).toBe(true);
    for (const g of backfill) g.open();
    for (let i = 0; i < 10; i += 1) await clock.advance(5_000);
    await Promise.all(backfillRuns);
  });

  it("keeps a long query's lease renewed, and a crashed holder's slot comes back when its lease runs out", async () => {
    const clock = manualClock();
    const leases = new MemoryLeaseStore(clock);
    const slots = new LeasedQuerySlots(leases, { count: 1, clock, leaseSeconds: 60 });
    const long = gate();
    const run = slots.run("scheduled", () => long.opened, undefined);
    await settle();
    for (let i = 0; i < 6; i += 1) await clock.advance(20_000);
    // Two minutes later the lease is still held: renewed every 20 s.
    expect(leases.leased()).toEqual(["query-slots/slot-0"]);
    long.open();
    await run;
    // A holder that died: its lease is never renewed or released.
    expect(await leases.tryAcquire("query-slots/slot-0", 60)).toBeDefined();
    let ran = false;
    const waiting = slots.run(
      "scheduled",
      async () => {
        ran = true;
      },
      undefined,
    );
    await clock.advance(30_000);
    expect(ran).toBe(false);
    for (let i = 0; i < 10 && !ran; i += 1) await clock.advance(5_000);
    await waiting;
    expect(ran).toBe(true);
  });
});
