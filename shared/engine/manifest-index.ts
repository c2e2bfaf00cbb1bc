import type { ObjectStore } from "../core/ports.js";
import { DAY_MS, floorTo, type TimeRange } from "../core/time.js";
import { manifestsDayPrefix } from "./naming.js";

/** Names of the table's manifests on every UTC day the range touches: one listing per day, no reads. */
export async function manifestNamesIn(state: ObjectStore, table: string, range: TimeRange): Promise<Set<string>> {
  const names = new Set<string>();
  for (let day = floorTo(range.startMs, DAY_MS); day < range.endMs; day += DAY_MS) {
    for await (const name of state.list(manifestsDayPrefix(table, day))) names.add(name);
  }
  return names;
}
