import { InvalidMessageError } from "../core/errors.js";
import { isRunId, isTableName } from "../core/identifiers.js";
import { DAY_MS, isoInstant, MINUTE_MS, type TimeRange } from "../core/time.js";

export const JOB_MESSAGE_VERSION = 1;
/** Storage Queue messages are at most 64 KiB after base64; stay far below. */
export const MAX_JOB_MESSAGE_CHARS = 8 * 1024;

export const JOB_REASONS = ["scheduled", "late", "repair", "backfill", "manual"] as const;
export type JobReason = (typeof JOB_REASONS)[number];

/** Export one (table, window). */
export interface WindowJob {
  readonly table: string;
  readonly window: TimeRange;
  readonly runId: string;
  readonly reason: JobReason;
  /** Re-export even when a complete manifest exists (late rows, manual reruns). */
  readonly force: boolean;
  /** A re-export may archive fewer rows than the window's manifest holds (the source lost some); refused otherwise. */
  readonly allowShrink?: boolean;
}

/** A backfill's coarse job (at most one day of one table): the worker expands it into window jobs. */
export interface RangeJob {
  readonly table: string;
  readonly range: TimeRange;
  readonly windowMs: number;
  readonly runId: string;
  readonly force: boolean;
  readonly allowShrink?: boolean;
}

export type DecodedJob = { readonly kind: "window"; readonly job: WindowJob } | { readonly kind: "range"; readonly job: RangeJob };

function isJobReason(value: unknown): value is JobReason {
  return JOB_REASONS.some((reason) => reason === value);
}

function encode(body: Record<string, unknown>): string {
  const text = JSON.stringify({ v: JOB_MESSAGE_VERSION, ...body });
  if (text.length > MAX_JOB_MESSAGE_CHARS) throw new RangeError(`job message is ${text.length} characters, over ${MAX_JOB_MESSAGE_CHARS}`);
  return text;
}

/** `allowShrink` is written only when true, so messages of older workers and newer ones read the same. */
function shrinkField(allowShrink: boolean | undefined): { allowShrink?: true } {
  return allowShrink === true ? { allowShrink: true } : {};
}

export function encodeWindowJob(job: WindowJob): string {
  return encode({
    kind: "window",
    table: job.table,
    start: isoInstant(job.window.startMs),
    end: isoInstant(job.window.endMs),
    runId: job.runId,
    reason: job.reason,
    force: job.force,
    ...shrinkField(job.allowShrink),
  });
}

export function encodeRangeJob(job: RangeJob): string {
  return encode({
    kind: "range",
    table: job.table,
    start: isoInstant(job.range.startMs),
    end: isoInstant(job.range.endMs),
    windowMinutes: job.windowMs / MINUTE_MS,
    runId: job.runId,
    force: job.force,
    ...shrinkField(job.allowShrink),
  });
}

function field(body: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(body, name) ? body[name] : undefined;
}

function instant(body: Record<string, unknown>, name: string): number {
  const value = field(body, name);
  const ms = typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?Z$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidMessageError(`"${name}" must be an ISO-8601 UTC instant like 2026-01-01T00:00:00Z, got ${JSON.stringify(value)}`);
  return ms;
}

function common(record: Record<string, unknown>): { table: string; range: TimeRange; runId: string; force: boolean; allowShrink: boolean } {
  const table = field(record, "table");
  if (!isTableName(table)) throw new InvalidMessageError(`"table" ${JSON.stringify(table)} is not a valid table name`);
  const startMs = instant(record, "start");
  const endMs = instant(record, "end");
  if (endMs <= startMs || endMs - startMs > DAY_MS)
    throw new InvalidMessageError(`window [${isoInstant(startMs)}, ${isoInstant(endMs)}) must be non-empty and at most one day`);
  const runId = field(record, "runId");
  if (!isRunId(runId)) throw new InvalidMessageError(`"runId" must be 1-100 characters of letters, digits and . _ : -, got ${JSON.stringify(runId)}`);
  const force = field(record, "force");
  if (typeof force !== "boolean") throw new InvalidMessageError(`"force" must be true or false, got ${JSON.stringify(force)}`);
  const allowShrink = field(record, "allowShrink") ?? false;
  if (typeof allowShrink !== "boolean") throw new InvalidMessageError(`"allowShrink" must be true or false, got ${JSON.stringify(allowShrink)}`);
  return { table, range: { startMs, endMs }, runId, force, allowShrink };
}

/** Accepts what the Functions host hands a queue trigger (parsed JSON or a string) and returns a valid job or throws InvalidMessageError. */
export function decodeJob(message: unknown): DecodedJob {
  let body: unknown = message;
  if (typeof message === "string") {
    if (message.length > MAX_JOB_MESSAGE_CHARS) throw new InvalidMessageError(`message is ${message.length} characters, over ${MAX_JOB_MESSAGE_CHARS}`);
    try {
      body = JSON.parse(message);
    } catch {
      throw new InvalidMessageError("message is not JSON");
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new InvalidMessageError("message is not a JSON object");
  const record = body as Record<string, unknown>;
  const version = field(record, "v");
  if (version !== JOB_MESSAGE_VERSION)
    throw new InvalidMessageError(`unsupported message version ${JSON.stringify(version)} (this worker reads version ${JOB_MESSAGE_VERSION})`);
  const kind = field(record, "kind");
  if (kind === "window") {
    const { table, range, runId, force, allowShrink } = common(record);
    const reason = field(record, "reason");
    if (!isJobReason(reason)) throw new InvalidMessageError(`"reason" must be one of ${JOB_REASONS.join(", ")}, got ${JSON.stringify(reason)}`);
    return { kind, job: { table, window: range, runId, reason, force, ...shrinkField(allowShrink) } };
  }
  if (kind === "range") {
    const { table, range, runId, force, allowShrink } = common(record);
    const minutes = field(record, "windowMinutes");
    if (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes < 1 || 1440 % minutes !== 0) {
      throw new InvalidMessageError(`"windowMinutes" must be a whole number of minutes that divides a day, got ${JSON.stringify(minutes)}`);
    }
    return { kind, job: { table, range, windowMs: minutes * MINUTE_MS, runId, force, ...shrinkField(allowShrink) } };
  }
  throw new InvalidMessageError(`unknown message kind ${JSON.stringify(kind)}`);
}
