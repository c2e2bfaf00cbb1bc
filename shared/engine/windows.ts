import { ConfigurationError } from "../core/errors.js";
import { DAY_MS, floorTo, type TimeRange } from "../core/time.js";

/** Window sizes must tile hours and days so every window has one stable name. */
export function assertWindowSize(windowMs: number, where: string): number {
  if (!Number.isInteger(windowMs) || windowMs < 60_000 || windowMs % 60_000 !== 0 || DAY_MS % windowMs !== 0) {
    throw new ConfigurationError(
      `${where}: window must be a whole number of minutes that divides a day (1, 5, 15, 30, 60, 120, … minutes), got ${windowMs / 60_000} minutes`,
    );
  }
  return windowMs;
}

export interface WindowPlanInput {
  /** Everything before this instant is already planned (the watermark). */
  readonly fromMs: number;
  readonly nowMs: number;
  readonly windowMs: number;
  readonly ingestionDelayMs: number;
  readonly maxWindows: number;
}

/** The last instant whose windows are complete: now − delay, floored to a window boundary. */
export function completeUntil(nowMs: number, windowMs: number, ingestionDelayMs: number): number {
  return floorTo(nowMs - ingestionDelayMs, windowMs);
}

/** Complete, aligned windows from the watermark on, oldest first, at most maxWindows of them. */
export function planWindows(input: WindowPlanInput): TimeRange[] {
  const start = floorTo(input.fromMs, input.windowMs);
  const end = completeUntil(input.nowMs, input.windowMs, input.ingestionDelayMs);
  const windows: TimeRange[] = [];
  for (let s = start; s + input.windowMs <= end && windows.length < input.maxWindows; s += input.windowMs) {
    windows.push({ startMs: s, endMs: s + input.windowMs });
  }
  return windows;
}

/** Splits an arbitrary range at window boundaries (the first and last windows may be partial). */
export function splitRange(range: TimeRange, windowMs: number): TimeRange[] {
  const windows: TimeRange[] = [];
  for (let s = range.startMs; s < range.endMs; ) {
    const e = Math.min(floorTo(s, windowMs) + windowMs, range.endMs);
    windows.push({ startMs: s, endMs: e });
    s = e;
  }
  return windows;
}
