export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A half-open interval [startMs, endMs) of epoch milliseconds. */
export interface TimeRange {
  readonly startMs: number;
  readonly endMs: number;
}

export function isoInstant(ms: number): string {
  return new Date(ms).toISOString();
}

/** `20261122T100000Z`: sortable, file-name safe, second precision. */
export function compactInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  const base = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const millis = ms % SECOND_MS;
  return millis === 0 ? `${base}Z` : `${base}${iso.slice(20, 23)}Z`;
}

/** The instant of a `compactInstant` string; NaN when it is not one. */
export function parseCompactInstant(text: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})?Z$/.exec(text);
  return m === null ? Number.NaN : Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7] ?? "000"}Z`);
}

export function describeRange(range: TimeRange): string {
  return `[${isoInstant(range.startMs)}, ${isoInstant(range.endMs)})`;
}

export function floorTo(ms: number, stepMs: number): number {
  return Math.floor(ms / stepMs) * stepMs;
}

/** A bin width as KQL and Logs Insights write it: `1m`, `1s`, `250ms`. */
export function binWidthLiteral(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`bin width must be a positive whole number of ms, got ${ms}`);
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

export interface Clock {
  now(): number;
  /** Waits on this clock (a simulation's virtual time); without it, real timers. An abort ends the wait with the signal's reason. */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };
