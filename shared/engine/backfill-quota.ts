import { StorageError } from "../core/errors.js";
import type { ObjectStore } from "../core/ports.js";
import { sleep } from "../core/sleep.js";
import { DAY_MS, floorTo, isoInstant } from "../core/time.js";

export const QUOTA_SCHEMA = "logexport.backfill-quota/v1";

/** One counter object per UTC day: the quota's day rolls over at midnight UTC. */
export function quotaName(dayMs: number): string {
  return `quotas/backfill-windows/${isoInstant(dayMs).slice(0, 10)}.json`;
}

interface QuotaDay {
  readonly schema: typeof QUOTA_SCHEMA;
  readonly day: string;
  readonly windows: number;
}

export type QuotaCharge =
  | { readonly ok: true; readonly used: number }
  /** `used` of `limit` windows are spent today; the next day starts at `resetsAtMs`. */
  | { readonly ok: false; readonly used: number; readonly limit: number; readonly resetsAtMs: number };

function usedIn(text: string | undefined): number {
  if (text === undefined) return 0;
  const value = JSON.parse(text) as Partial<QuotaDay>;
  return value.schema === QUOTA_SCHEMA && typeof value.windows === "number" ? value.windows : 0;
}

/** Writers racing for one day's counter: each lost race re-reads it; this many lost races in a row is an outage, not contention. */
const UPDATE_ATTEMPTS = 20;

/**
 * Changes a day's count by a write conditional on the counter's ETag, so instances changing it at once
 * neither lose a change nor pass the limit together. `change` gives the new count, or undefined to leave it.
 */
async function updateDay(
  state: ObjectStore,
  dayMs: number,
  change: (used: number) => number | undefined,
): Promise<{ readonly used: number; readonly changed: boolean }> {
  const name = quotaName(dayMs);
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt += 1) {
    const found = await state.readText(name);
    const used = usedIn(found?.text);
    const next = change(used);
    if (next === undefined || next === used) return { used, changed: false };
    const day: QuotaDay = { schema: QUOTA_SCHEMA, day: isoInstant(dayMs).slice(0, 10), windows: next };
    const written = await state.writeText(name, `${JSON.stringify(day)}\n`, found === undefined ? { ifNoneMatch: "*" } : { ifMatch: found.etag });
    if (written !== undefined) return { used: next, changed: true };
    // Spread the retries of writers that lost the same race.
    await sleep(5 + Math.floor(Math.random() * 20 * (attempt + 1)));
  }
  throw new StorageError(`updating the backfill quota ${name}: it changed under every one of ${UPDATE_ATTEMPTS} attempts`, { retriable: true });
}

/** Adds `windows` to today's count in the state store when it stays within `limit`. */
export async function chargeDailyWindows(state: ObjectStore, windows: number, limit: number, nowMs: number): Promise<QuotaCharge> {
  const dayMs = floorTo(nowMs, DAY_MS);
  const result = await updateDay(state, dayMs, (used) => (used + windows > limit ? undefined : used + windows));
  return result.changed || result.used + windows <= limit
    ? { ok: true, used: result.used }
    : { ok: false, used: result.used, limit, resetsAtMs: dayMs + DAY_MS };
}

/** Gives back `windows` charged on the day of `chargedAtMs`, for a run that could not be queued; never below 0. */
export async function refundDailyWindows(state: ObjectStore, windows: number, chargedAtMs: number): Promise<void> {
  await updateDay(state, floorTo(chargedAtMs, DAY_MS), (used) => Math.max(0, used - windows));
}
