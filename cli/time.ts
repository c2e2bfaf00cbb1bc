import { CliError } from "./errors.js";

const UNITS: Readonly<Record<string, number>> = {
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/** The largest distance from the epoch a Date can hold (±100,000,000 days). */
const MAX_INSTANT_MS = 8.64e15;

const ISO = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(Z|[+-]\d\d:?\d\d)?)?$/i;
/** An end at second :59 without a fraction (`14:59:59Z`, as the upstream CronJob writes an hour's end). */
const LAST_SECOND = /[T ]\d\d:\d\d:59(?:Z|[+-]\d\d:?\d\d)?$/i;

/**
 * ISO-8601 (`2026-11-22T10:00:00Z`, `2026-11-22`; a time without a zone is UTC, as the upstream exporter
 * reads it in its UTC pods; a space may stand for the T), `now`, `2 hours ago`, `90m ago`, `-3d`, `now-1h`.
 */
export function parseInstant(text: string, nowMs: number, flag: string): number {
  const value = text.trim().toLowerCase();
  if (value === "now") return nowMs;
  const relative = /^(?:now\s*-\s*|-\s*)?(\d+)\s*([a-z]+)(?:\s+ago)?$/.exec(value);
  if (relative && (value.startsWith("-") || value.startsWith("now") || value.endsWith("ago"))) {
    const unit = UNITS[relative[2] ?? ""];
    if (unit === undefined) throw new CliError(`${flag}: unknown unit "${relative[2]}" in ${JSON.stringify(text)} (use s, m, h, d or w)`);
    const ms = nowMs - Number(relative[1]) * unit;
    if (Math.abs(ms) > MAX_INSTANT_MS) throw new CliError(`${flag}: ${JSON.stringify(text)} is too far in the past to be a time`);
    return ms;
  }
  const iso = ISO.exec(text.trim());
  if (iso !== null) {
    const zone = (iso[3] ?? "Z").replace(/^([+-]\d\d)(\d\d)$/, "$1:$2");
    const ms = Date.parse(iso[2] === undefined ? `${iso[1]}T00:00:00Z` : `${iso[1]}T${iso[2]}${zone}`);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new CliError(
    `${flag}: ${JSON.stringify(text)} is not a time (use ISO 8601 like 2026-11-22T10:00:00Z, UTC when no zone is given, or "now", "2 hours ago", "-3d")`,
  );
}

/**
 * The exclusive end of a range. An end written at second :59 without a fraction (`14:59:59Z`) is the last
 * second of the range and counts whole, as CloudWatch's own inclusive endTime does: the upstream CronJob's
 * `HH:00:00Z`–`HH:59:59Z` covers the hour exactly, and so does `HH:00:00Z`–`HH+1:00:00Z`.
 */
export function parseEndInstant(text: string, nowMs: number, flag: string): number {
  const ms = parseInstant(text, nowMs, flag);
  return LAST_SECOND.test(text.trim()) ? ms + 1_000 : ms;
}
