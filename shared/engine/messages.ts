import { InvalidMessageError } from "../core/errors.js";
import { isTableName } from "../core/identifiers.js";
import { DAY_MS, isoInstant, type TimeRange } from "../core/time.js";

export const JOB_MESSAGE_VERSION = 1;
/** Storage Queue messages are at most 64 KiB after base64; stay far below. */
export const MAX_JOB_MESSAGE_CHARS = 8 * 1024;

export const JOB_REASONS = ["scheduled", "late", "backfill", "manual"] as const;
export type JobReason = (typeof JOB_REASONS)[number];

/** Export one (table, window). */
export interface WindowJob {
  readonly table: string;
  readonly window: TimeRange;
  readonly runId: string;
  readonly reason: JobReason;
  /** Re-export even when a complete manifest exists (late rows, manual reruns). */
  readonly force: boolean;
}

const RUN_ID = /^[A-Za-z0-9._:-]{1,100}$/;

function isJobReason(value: unknown): value is JobReason {
  return JOB_REASONS.some((reason) => reason === value);
}

export function encodeWindowJob(job: WindowJob): string {
  const text = JSON.stringify({
    v: JOB_MESSAGE_VERSION,
    kind: "window",
    table: job.table,
    start: isoInstant(job.window.startMs),
    end: isoInstant(job.window.endMs),
    runId: job.runId,
    reason: job.reason,
    force: job.force,
  });
  if (text.length > MAX_JOB_MESSAGE_CHARS) throw new RangeError(`job message is ${text.length} characters, over ${MAX_JOB_MESSAGE_CHARS}`);
  return text;
}

function field(body: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(body, name) ? body[name] : undefined;
}

function instant(body: Record<string, unknown>, name: string): number {
  const value = field(body, name);
  const ms = typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?Z$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidMessageError(`"${name}" must be an ISO-8601 UTC instant like 2026-01-01T00:00:00Z, got ${JSON.stringify(value)}`);
  return ms;
}

/** Accepts what the Functions host hands a queue trigger (parsed JSON or a string) and returns a valid job or throws InvalidMessageError. */
export function decodeWindowJob(message: unknown): WindowJob {
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
  if (version !== JOB_MESSAGE_VERSION) throw new InvalidMessageError(`unsupported message version ${JSON.stringify(version)} (this worker reads version ${JOB_MESSAGE_VERSION})`);
  const kind = field(record, "kind");
  if (kind !== "window") throw new InvalidMessageError(`unknown message kind ${JSON.stringify(kind)}`);
  const table = field(record, "table");
  if (!isTableName(table)) throw new InvalidMessageError(`"table" ${JSON.stringify(table)} is not a valid table name`);
  const startMs = instant(record, "start");
  const endMs = instant(record, "end");
  if (endMs <= startMs || endMs - startMs > DAY_MS) throw new InvalidMessageError(`window [${isoInstant(startMs)}, ${isoInstant(endMs)}) must be non-empty and at most one day`);
  const runId = field(record, "runId");
  if (typeof runId !== "string" || !RUN_ID.test(runId)) throw new InvalidMessageError(`"runId" must be 1-100 characters of letters, digits and . _ : -, got ${JSON.stringify(runId)}`);
  const reason = field(record, "reason");
  if (!isJobReason(reason)) throw new InvalidMessageError(`"reason" must be one of ${JOB_REASONS.join(", ")}, got ${JSON.stringify(reason)}`);
  const force = field(record, "force");
  if (typeof force !== "boolean") throw new InvalidMessageError(`"force" must be true or false, got ${JSON.stringify(force)}`);
  return { table, window: { startMs, endMs }, runId, reason, force };
}
