import type { JobQueue, ObjectStore } from "../core/ports.js";
import { isTableName } from "../core/identifiers.js";
import { DAY_MS, isoInstant, MINUTE_MS, type TimeRange } from "../core/time.js";
import { encodeRangeJob, encodeWindowJob, type RangeJob } from "./messages.js";
import { windowsWithoutManifest } from "./manifest-index.js";
import { splitRange } from "./windows.js";

export interface BackfillRequest {
  readonly tables: readonly string[];
  readonly range: TimeRange;
  readonly windowMs: number;
  readonly force: boolean;
  readonly allowShrink: boolean;
}

export interface BackfillLimits {
  readonly nowMs: number;
  /** Tables this deployment exports; others are refused. */
  readonly knownTables: readonly string[];
  readonly retentionMs: number;
  readonly maxWindows: number;
  /** The deployment's window size: the only one a backfill may use, or it would archive the same rows under other names. */
  readonly windowMs: number;
}

/** One RFC 9457 `invalid-params` entry: which field, and why. */
export interface FieldProblem {
  readonly name: string;
  readonly reason: string;
}

export type BackfillValidation =
  | { readonly ok: true; readonly request: BackfillRequest; readonly windows: number }
  | { readonly ok: false; readonly problems: FieldProblem[] };

/** More entries than any deployment exports tables: refused as a whole, without looking at each. */
export const MAX_TABLES_PER_REQUEST = 100;
/** Entries a list's one problem quotes; the rest are counted. */
const QUOTED_ENTRIES = 5;

/** One problem for a whole list of table names, however many entries are wrong: the first few quoted, the exported tables named once. */
export function tableListProblem(name: string, bad: readonly string[], knownTables: readonly string[]): FieldProblem {
  const more = bad.length > QUOTED_ENTRIES ? `; and ${bad.length - QUOTED_ENTRIES} more` : "";
  return {
    name,
    reason: `${bad.length} entr${bad.length === 1 ? "y is" : "ies are"} wrong: ${bad.slice(0, QUOTED_ENTRIES).join("; ")}${more}. Exported tables: ${knownTables.join(", ")}`,
  };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/;

function instant(value: unknown, name: string, problems: FieldProblem[]): number {
  const ms = typeof value === "string" && ISO.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) problems.push({ name, reason: `must be an ISO-8601 instant with a zone, e.g. 2026-11-01T00:00:00Z; got ${JSON.stringify(value)}` });
  return ms;
}

/** Checks every field and reports all problems at once, so a caller fixes the request in one go. */
export function validateBackfillRequest(body: unknown, limits: BackfillLimits): BackfillValidation {
  const problems: FieldProblem[] = [];
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, problems: [{ name: "(body)", reason: "must be a JSON object" }] };
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!["tables", "start", "end", "windowMinutes", "force", "allowShrink"].includes(key))
      problems.push({ name: key, reason: "is not a known field (tables, start, end, windowMinutes, force, allowShrink)" });
  }
  const tables: string[] = [];
  if (!Array.isArray(b.tables) || b.tables.length === 0) {
    problems.push({ name: "tables", reason: "must be a non-empty array of table names" });
  } else if (b.tables.length > MAX_TABLES_PER_REQUEST) {
    problems.push({ name: "tables", reason: `lists ${b.tables.length} entries; a request may name at most ${MAX_TABLES_PER_REQUEST} tables` });
  } else {
    const bad: string[] = [];
    b.tables.forEach((table: unknown, i) => {
      if (!isTableName(table)) bad.push(`[${i}] ${JSON.stringify(table)} is not a valid table name`);
      else if (!limits.knownTables.includes(table)) bad.push(`[${i}] ${table} is not exported here`);
      else if (tables.includes(table)) bad.push(`[${i}] ${table} is listed twice`);
      else tables.push(table);
    });
    if (bad.length > 0) problems.push(tableListProblem("tables", bad, limits.knownTables));
  }
  const minutes = limits.windowMs / MINUTE_MS;
  if (b.windowMinutes !== undefined && b.windowMinutes !== minutes) {
    problems.push({
      name: "windowMinutes",
      reason: `must be the deployment's window size, ${minutes} (LOGEXPORT_WINDOW_MINUTES), or left out; got ${JSON.stringify(b.windowMinutes)}: windows of another size would archive the same rows again under other names`,
    });
  }
  const windowMs = limits.windowMs;
  const startMs = instant(b.start, "start", problems);
  const endMs = instant(b.end, "end", problems);
  for (const flag of ["force", "allowShrink"] as const) {
    if (b[flag] !== undefined && typeof b[flag] !== "boolean") problems.push({ name: flag, reason: `must be true or false, got ${JSON.stringify(b[flag])}` });
  }
  if (!Number.isNaN(startMs) && !Number.isNaN(endMs)) {
    if (startMs >= endMs) problems.push({ name: "end", reason: `must be after start (${isoInstant(startMs)})` });
    if (endMs > limits.nowMs) problems.push({ name: "end", reason: `is in the future (now is ${isoInstant(limits.nowMs)})` });
    if (startMs < limits.nowMs - limits.retentionMs) {
      problems.push({
        name: "start",
        reason: `is beyond the workspace retention of ${limits.retentionMs / DAY_MS} days (earliest ${isoInstant(limits.nowMs - limits.retentionMs)})`,
      });
    }
    if (startMs % windowMs !== 0 || endMs % windowMs !== 0) {
      problems.push({ name: startMs % windowMs !== 0 ? "start" : "end", reason: `must fall on a ${minutes}-minute window boundary` });
    }
  }
  const windows = problems.length === 0 ? (tables.length * (endMs - startMs)) / windowMs : 0;
  if (problems.length === 0 && windows > limits.maxWindows) {
    problems.push({ name: "end", reason: `the request covers ${windows} windows, over the limit of ${limits.maxWindows}; split it into several requests` });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, request: { tables, range: { startMs, endMs }, windowMs, force: b.force === true, allowShrink: b.allowShrink === true }, windows };
}

/** One coarse job per table and UTC day: a 90-day, 20-table request is 1,800 small messages. */
export function planRangeJobs(request: BackfillRequest, runId: string): RangeJob[] {
  return request.tables.flatMap((table) =>
    splitRange(request.range, DAY_MS).map((range) => ({
      table,
      range,
      windowMs: request.windowMs,
      runId,
      force: request.force,
      allowShrink: request.allowShrink,
    })),
  );
}

export async function sendAll(queue: JobQueue, messages: readonly string[], concurrency: number): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, messages.length) }, async () => {
    while (next < messages.length) {
      const message = messages[next];
      next += 1;
      if (message !== undefined) await queue.send(message);
    }
  });
  await Promise.all(lanes);
}

export async function enqueueRangeJobs(queue: JobQueue, jobs: readonly RangeJob[]): Promise<void> {
  await sendAll(queue, jobs.map(encodeRangeJob), 32);
}

export interface Expansion {
  readonly enqueued: number;
  readonly skipped: number;
}

/** Turns a coarse job into window jobs, leaving out windows whose manifest already exists unless forced. */
export async function expandRangeJob(state: ObjectStore, queue: JobQueue, job: RangeJob): Promise<Expansion> {
  const windows = splitRange(job.range, job.windowMs);
  // A range job never crosses a UTC day, so this is one listing.
  const todo = job.force ? windows : await windowsWithoutManifest(state, job.table, windows);
  await sendAll(
    queue,
    todo.map((window) =>
      encodeWindowJob({ table: job.table, window, runId: job.runId, reason: "backfill", force: job.force, allowShrink: job.allowShrink === true }),
    ),
    16,
  );
  return { enqueued: todo.length, skipped: windows.length - todo.length };
}
