import { CliError } from "./errors.js";

const UNITS: Readonly<Record<string, number>> = {
  s: 1_000, sec: 1_000, second: 1_000, seconds: 1_000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

/** The largest distance from the epoch a Date can hold (±100,000,000 days). */
const MAX_INSTANT_MS = 8.64e15;

/** ISO-8601 (`2026-11-22T10:00:00Z`, `2026-11-22`), `now`, `2 hours ago`, `90m ago`, `-3d`, `now-1h`. */
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
  if (/^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/i.test(text.trim())) {
    const ms = Date.parse(text.trim());
    if (!Number.isNaN(ms)) return ms;
  }
  throw new CliError(`${flag}: ${JSON.stringify(text)} is not a time (use ISO 8601 with a zone like 2026-11-22T10:00:00Z, or "now", "2 hours ago", "-3d")`);
}
