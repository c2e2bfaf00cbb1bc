import { StorageError } from "../core/errors.js";
import type { ObjectStore } from "../core/ports.js";
import { isoInstant, MINUTE_MS } from "../core/time.js";
import { readRunRecord } from "./runs.js";
import { readCoverage } from "./status.js";

export const CLAIM_SCHEMA = "logexport.backfill-claim/v1";

/** A claim whose run record never appeared (its request died in between) stops holding the table after this. */
export const CLAIM_GRACE_MS = 5 * MINUTE_MS;

/** The one object per table whose conditional write decides which run may backfill it. */
export function claimName(table: string): string {
  return `claims/backfill/${table}.json`;
}

interface Claim {
  readonly schema: typeof CLAIM_SCHEMA;
  readonly table: string;
  readonly runId: string;
  readonly claimedAt: string;
}

/** The run holding a table another request asks for. */
export interface BusyTable {
  readonly table: string;
  readonly runId: string;
  /** When the run was created (or claimed the table, while its record is being written). */
  readonly since: string;
  /** The run's windows of the table exported or failed for good, of all; undefined while it is starting. */
  readonly progress?: { readonly finished: number; readonly total: number };
}

export type ClaimResult = { readonly ok: true; release(): Promise<void> } | { readonly ok: false; readonly busy: BusyTable };

export interface ClaimOptions {
  readonly nowMs: number;
  /** Runs older than this hold no table, finished or not (the status's in-progress horizon). */
  readonly horizonMs: number;
}

function parseClaim(text: string): Claim | undefined {
  try {
    const value = JSON.parse(text) as Partial<Claim>;
    return value.schema === CLAIM_SCHEMA && typeof value.runId === "string" && typeof value.claimedAt === "string" ? (value as Claim) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the claim still holds its table: its run is younger than the horizon and has a window of the
 * table neither exported (by the run, for a forced one) nor failed in the run; a claim without its run
 * record holds only for CLAIM_GRACE_MS.
 */
async function holder(state: ObjectStore, claim: Claim, options: ClaimOptions): Promise<BusyTable | undefined> {
  const run = await readRunRecord(state, claim.runId);
  if (run === undefined) {
    return options.nowMs - Date.parse(claim.claimedAt) < CLAIM_GRACE_MS ? { table: claim.table, runId: claim.runId, since: claim.claimedAt } : undefined;
  }
  if (options.nowMs - Date.parse(run.createdAt) >= options.horizonMs) return undefined;
  const [coverage] = await readCoverage(state, {
    tables: [claim.table],
    range: { startMs: Date.parse(run.start), endMs: Date.parse(run.end) },
    windowMs: run.windowMinutes * MINUTE_MS,
    nowMs: options.nowMs,
    inProgressHorizonMs: options.horizonMs,
    exportedBy: run.force ? run.runId : undefined,
  });
  if (coverage === undefined) return undefined;
  // A failure recorded by an earlier run is what this run is re-running: only its own failures finish a window.
  const finished = coverage.windows.filter((w) => w.state === "exported" || (w.state === "failed" && w.runId === run.runId)).length;
  return finished < coverage.windows.length
    ? { table: claim.table, runId: run.runId, since: run.createdAt, progress: { finished, total: coverage.windows.length } }
    : undefined;
}

/** Attempts at one table's claim: a lost race is seen on the next read, so two are the most a request needs. */
const CLAIM_ATTEMPTS = 3;

async function claimTable(state: ObjectStore, table: string, runId: string, options: ClaimOptions): Promise<BusyTable | undefined> {
  const name = claimName(table);
  const text = `${JSON.stringify({ schema: CLAIM_SCHEMA, table, runId, claimedAt: isoInstant(options.nowMs) } satisfies Claim, null, 2)}\n`;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
    const existing = await state.readText(name);
    const claim = existing === undefined ? undefined : parseClaim(existing.text);
    const busy = claim === undefined ? undefined : await holder(state, claim, options);
    if (busy !== undefined) return busy;
    // Only one of two requests that read the same claim (or none) can replace it: the other's condition fails.
    const written = await state.writeText(name, text, existing === undefined ? { ifNoneMatch: "*" } : { ifMatch: existing.etag });
    if (written !== undefined) return undefined;
  }
  throw new StorageError(`claiming ${name}: it changed under every one of ${CLAIM_ATTEMPTS} attempts`, { retriable: true });
}

/**
 * Claims every table for `runId`, in name order, each by a conditional write of its claim object, so of
 * two concurrent requests for one table exactly one gets it. On the first table held by another run
 * the tables claimed so far are released and that run is returned.
 */
export async function claimTables(state: ObjectStore, tables: readonly string[], runId: string, options: ClaimOptions): Promise<ClaimResult> {
  const claimed: string[] = [];
  const release = async (): Promise<void> => {
    await Promise.all(claimed.map((table) => state.delete(claimName(table))));
  };
  try {
    for (const table of [...tables].sort()) {
      const busy = await claimTable(state, table, runId, options);
      if (busy !== undefined) {
        await release();
        return { ok: false, busy };
      }
      claimed.push(table);
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { ok: true, release };
}
