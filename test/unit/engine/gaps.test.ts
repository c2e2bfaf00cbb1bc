import { describe, expect, it } from "vitest";
import { HOUR_MS, type TimeRange } from "../../../shared/core/time.js";
import { findGaps } from "../../../shared/engine/gaps.js";
import { manifestName } from "../../../shared/engine/naming.js";
import { MemoryObjectStore } from "../../helpers/memory-store.js";

const DAY = Date.UTC(2026, 1, 3);
const hour = (i: number): TimeRange => ({ startMs: DAY + i * HOUR_MS, endMs: DAY + (i + 1) * HOUR_MS });

async function storeWith(hours: readonly number[]): Promise<{ state: MemoryObjectStore; lists: string[] }> {
  const state = new MemoryObjectStore();
  for (const i of hours) await state.writeText(manifestName("T", hour(i)), "{}");
  const lists: string[] = [];
  const list = state.list.bind(state);
  state.list = (prefix) => {
    lists.push(prefix);
    return list(prefix);
  };
  return { state, lists };
}

describe("findGaps", () => {
  it("finds windows without a manifest after the first one that has one, over two UTC days, with one listing per day", async () => {
    const { state, lists } = await storeWith([5, 6, 8, 20, 30, 31]);
    const gaps = await findGaps({ state, table: "T", range: { startMs: hour(2).startMs, endMs: hour(33).startMs }, windowMs: HOUR_MS, max: 100 });
    const expected = [7, ...Array.from({ length: 11 }, (_, i) => 9 + i), ...Array.from({ length: 9 }, (_, i) => 21 + i), 32];
    expect(gaps).toEqual(expected.map(hour));
    expect(lists).toEqual(["manifests/table=T/year=2026/month=02/day=03/", "manifests/table=T/year=2026/month=02/day=04/"]);
  });

  it("returns at most `max`, oldest first", async () => {
    const { state } = await storeWith([0, 10]);
    expect(await findGaps({ state, table: "T", range: { startMs: hour(0).startMs, endMs: hour(11).startMs }, windowMs: HOUR_MS, max: 3 })).toEqual(
      [1, 2, 3].map(hour),
    );
  });

  it("finds nothing before the first manifest (a deployment does not reach back beyond where it started), nor in an empty range", async () => {
    const { state } = await storeWith([]);
    expect(await findGaps({ state, table: "T", range: { startMs: hour(0).startMs, endMs: hour(10).startMs }, windowMs: HOUR_MS, max: 10 })).toEqual([]);
    const later = await storeWith([4]);
    expect(await findGaps({ state: later.state, table: "T", range: { startMs: hour(0).startMs, endMs: hour(6).startMs }, windowMs: HOUR_MS, max: 10 })).toEqual(
      [hour(5)],
    );
    expect(await findGaps({ state: later.state, table: "T", range: { startMs: hour(6).startMs, endMs: hour(6).startMs }, windowMs: HOUR_MS, max: 10 })).toEqual(
      [],
    );
  });
});
