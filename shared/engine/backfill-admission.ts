import type { ObjectStore } from "../core/ports.js";
import { claimTables, type BusyTable } from "./backfill-claims.js";
import { chargeDailyWindows, refundDailyWindows, type QuotaCharge } from "./backfill-quota.js";

export interface AdmissionOptions {
  readonly nowMs: number;
  /** Runs older than this hold no table. */
  readonly horizonMs: number;
  /** LOGEXPORT_BACKFILL_DAILY_WINDOWS. */
  readonly dailyWindows: number;
}

export type Admission =
  /** The run holds its tables and its windows are charged; `cancel` gives both back if the run cannot be started after all. */
  | { readonly ok: true; cancel(): Promise<void> }
  | { readonly ok: false; readonly reason: "busy"; readonly busy: BusyTable }
  | { readonly ok: false; readonly reason: "quota"; readonly quota: Extract<QuotaCharge, { ok: false }> };

/**
 * Whether run `runId` may start: it claims its tables first (one active run per table), then charges its
 * windows to today's quota; refused by the quota, it gives its tables back, so a refusal changes nothing.
 */
export async function admitBackfill(
  state: ObjectStore,
  tables: readonly string[],
  windows: number,
  runId: string,
  options: AdmissionOptions,
): Promise<Admission> {
  const claim = await claimTables(state, tables, runId, options);
  if (!claim.ok) return { ok: false, reason: "busy", busy: claim.busy };
  let charge: QuotaCharge;
  try {
    charge = await chargeDailyWindows(state, windows, options.dailyWindows, options.nowMs);
  } catch (error) {
    await claim.release();
    throw error;
  }
  if (!charge.ok) {
    await claim.release();
    return { ok: false, reason: "quota", quota: charge };
  }
  return {
    ok: true,
    cancel: async () => {
      await claim.release();
      await refundDailyWindows(state, windows, options.nowMs);
    },
  };
}
