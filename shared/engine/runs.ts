import { randomBytes } from "node:crypto";
import type { ObjectStore } from "../core/ports.js";
import { compactInstant, isoInstant, MINUTE_MS, parseCompactInstant } from "../core/time.js";
import type { BackfillRequest } from "./backfill.js";

export const RUN_SCHEMA = "logexport.run/v1";

/** What a backfill asked for, kept so status can show its progress later. */
export interface RunRecord {
  readonly schema: typeof RUN_SCHEMA;
  readonly runId: string;
  readonly tables: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly windowMinutes: number;
  readonly force: boolean;
  readonly windows: number;
  readonly jobs: number;
  readonly createdAt: string;
}

/** `bf-20261123T012345Z-1a2b3c`: sortable, and says when it started. */
export function newRunId(prefix: string, nowMs: number): string {
  return `${prefix}-${compactInstant(Math.floor(nowMs / 1000) * 1000)}-${randomBytes(3).toString("hex")}`;
}

export function runRecordName(runId: string): string {
  return `runs/${runId}.json`;
}

export function runRecord(runId: string, request: BackfillRequest, windows: number, jobs: number, nowMs: number): RunRecord {
  return {
    schema: RUN_SCHEMA,
    runId,
    tables: request.tables,
    start: isoInstant(request.range.startMs),
    end: isoInstant(request.range.endMs),
    windowMinutes: request.windowMs / MINUTE_MS,
    force: request.force,
    windows,
    jobs,
    createdAt: isoInstant(nowMs),
  };
}

export async function readRunRecord(state: ObjectStore, runId: string): Promise<RunRecord | undefined> {
  const found = await state.readText(runRecordName(runId));
  if (found === undefined) return undefined;
  const value = JSON.parse(found.text) as Partial<RunRecord>;
  return value.schema === RUN_SCHEMA ? (value as RunRecord) : undefined;
}

/** Run records created since `sinceMs` (their ids carry the creation time). */
export async function recentRuns(state: ObjectStore, sinceMs: number): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for await (const name of state.list("runs/")) {
    const stamp = /-(\d{8}T\d{6}Z)-/.exec(name)?.[1];
    const ms = stamp === undefined ? Number.NaN : parseCompactInstant(stamp);
    if (!(ms >= sinceMs)) continue;
    const record = await readRunRecord(state, name.slice("runs/".length, -".json".length));
    if (record !== undefined) runs.push(record);
  }
  return runs;
}
