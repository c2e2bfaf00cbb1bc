import type { ObjectStore } from "../core/ports.js";
import { DAY_MS, floorTo, parseCompactInstant, type TimeRange } from "../core/time.js";
import { parseManifest, type ExportManifest } from "./manifest.js";
import { manifestName, manifestsDayPrefix } from "./naming.js";

/** Names of the table's manifests on every UTC day the range touches: one listing per day, no reads. */
export async function manifestNamesIn(state: ObjectStore, table: string, range: TimeRange): Promise<Set<string>> {
  const names = new Set<string>();
  for (let day = floorTo(range.startMs, DAY_MS); day < range.endMs; day += DAY_MS) {
    for await (const name of state.list(manifestsDayPrefix(table, day))) names.add(name);
  }
  return names;
}

/** The windows (in time order) that have no manifest yet: what a backfill still has to export. One listing per UTC day they cover. */
export async function windowsWithoutManifest(state: ObjectStore, table: string, windows: readonly TimeRange[]): Promise<TimeRange[]> {
  const first = windows[0];
  const last = windows.at(-1);
  if (first === undefined || last === undefined) return [];
  const done = await manifestNamesIn(state, table, { startMs: first.startMs, endMs: last.endMs });
  return windows.filter((window) => !done.has(manifestName(table, window)));
}

/**
 * End of the table's newest manifest, looking back from the UTC day of `nowMs`
 * over at most `days` days: one listing per day, newest day first, stopping at
 * the first day that has any. Undefined when none of those days has one.
 */
export async function newestManifestEndMs(state: ObjectStore, table: string, nowMs: number, days: number): Promise<number | undefined> {
  const today = floorTo(nowMs, DAY_MS);
  for (let day = today; day > today - days * DAY_MS; day -= DAY_MS) {
    let newest: number | undefined;
    for await (const name of state.list(manifestsDayPrefix(table, day))) {
      const endMs = parseCompactInstant(/_([0-9T]+Z)\.manifest\.json$/.exec(name)?.[1] ?? "");
      if (!Number.isNaN(endMs)) newest = Math.max(newest ?? endMs, endMs);
    }
    if (newest !== undefined) return newest;
  }
  return undefined;
}

/** The table's newest manifest (by window end), looking back from the UTC day of `nowMs` over at most `days` days. */
export async function newestManifest(state: ObjectStore, table: string, nowMs: number, days: number): Promise<ExportManifest | undefined> {
  const today = floorTo(nowMs, DAY_MS);
  for (let day = today; day > today - days * DAY_MS; day -= DAY_MS) {
    let newest: { endMs: number; name: string } | undefined;
    for await (const name of state.list(manifestsDayPrefix(table, day))) {
      const endMs = parseCompactInstant(/_([0-9T]+Z)\.manifest\.json$/.exec(name)?.[1] ?? "");
      if (!Number.isNaN(endMs) && (newest === undefined || endMs > newest.endMs)) newest = { endMs, name };
    }
    if (newest !== undefined) return parseManifest((await state.readText(newest.name))?.text ?? "");
  }
  return undefined;
}
