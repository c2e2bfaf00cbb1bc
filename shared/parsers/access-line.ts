import { INT32_MAX } from "./log-line.js";

/** What every access-log format gives a row (Pulp's, combined, nginx JSON); `-` and absent fields are null. */
export interface AccessLine {
  readonly correlationId: string | null;
  readonly remoteAddr: string | null;
  readonly user: string | null;
  readonly orgId: string | null;
  readonly method: string;
  /** The request target as logged: path and query string. */
  readonly path: string;
  readonly protocol: string | null;
  readonly statusCode: number;
  readonly responseBytes: number | null;
  readonly referer: string | null;
  readonly userAgent: string | null;
  readonly durationMs: number | null;
  /** The first address of X-Forwarded-For: the client. */
  readonly xForwardedFor: string | null;
}

/** Parses one line of a format; undefined when the line is not of it. */
export type AccessLineParser = (line: string) => AccessLine | undefined;

/** `-` or absent: null; digits that fit under `max`: the number; anything else undefined, so the line counts as malformed instead of failing the file. */
export function boundedCount(value: string | undefined, max: number): number | null | undefined {
  if (value === undefined || value === "-" || value === "") return null;
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n <= max ? n : undefined;
}

/** An HTTP status as a number, or undefined outside 100–599 (the int16 column and every reader expect one). */
export function statusCode(value: string | number | undefined): number | undefined {
  const n = typeof value === "number" ? value : /^\d{3}$/.test(value ?? "") ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

/**
 * Seconds as logged (`0.003200`, nginx's `$request_time`) → whole milliseconds, rounded half to even on
 * the decimal digits (Python's `round`, which upstream applies: 0.0025 s is 2 ms), never through a
 * binary float; undefined when it is not a decimal number of seconds or does not fit an int32.
 */
export function secondsToMilliseconds(text: string): number | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return undefined;
  const fraction = m[2] ?? "";
  const whole = Number(m[1]) * 1000 + Number(fraction.slice(0, 3).padEnd(3, "0"));
  const rest = fraction.slice(3);
  const above = rest !== "" && (rest[0] ?? "0") > "5";
  const half = rest[0] === "5";
  const beyondHalf = half && /[1-9]/.test(rest.slice(1));
  const ms = above || beyondHalf || (half && whole % 2 === 1) ? whole + 1 : whole;
  return Number.isSafeInteger(ms) && ms <= INT32_MAX ? ms : undefined;
}
