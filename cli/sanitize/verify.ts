import type { Sanitizer } from "../../shared/sanitize/index.js";
import { textLeftovers, valueLeftovers } from "./leftovers.js";
import type { LineMode } from "./lines.js";
import type { NumberedLine } from "./sample.js";

/** Line numbers kept per rule, so a report points at where to look without printing a value. */
const LINES_KEPT = 5;

export interface RuleLeftovers {
  readonly rule: string;
  /** Lines on which the rule still fires. */
  readonly lines: number;
  readonly firstLines: readonly number[];
}

export interface VerifyReport {
  readonly linesChecked: number;
  readonly leftovers: readonly RuleLeftovers[];
}

/** Re-scans sanitized output: every rule that would still change a line, with the lines it fires on (values are never kept). */
export async function verifySanitized(sanitizer: Sanitizer, lines: AsyncIterable<NumberedLine>, mode: LineMode): Promise<VerifyReport> {
  const found = new Map<string, { lines: number; firstLines: number[] }>();
  let linesChecked = 0;
  for await (const { number, text } of lines) {
    const line = text.endsWith("\r") ? text.slice(0, -1) : text;
    if (line === "") continue;
    linesChecked += 1;
    for (const rule of lineLeftovers(sanitizer, line, mode)) {
      const entry = found.get(rule) ?? { lines: 0, firstLines: [] };
      entry.lines += 1;
      if (entry.firstLines.length < LINES_KEPT) entry.firstLines.push(number);
      found.set(rule, entry);
    }
  }
  return { linesChecked, leftovers: [...found.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([rule, entry]) => ({ rule, ...entry })) };
}

function lineLeftovers(sanitizer: Sanitizer, line: string, mode: LineMode): Set<string> {
  const record = mode === "json" ? jsonValue(line) : undefined;
  if (record === undefined) return new Set(textLeftovers(sanitizer, line));
  // Most lines of sanitized output come back unchanged: one pass over the line decides them.
  if (sanitizer.sanitizeLine(line) === line) return new Set();
  const rules = new Set<string>();
  visit(record, [], (value, segments) => {
    for (const rule of valueLeftovers(sanitizer, value, segments)) rules.add(rule);
  });
  return rules;
}

function jsonValue(line: string): object | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function visit(value: unknown, segments: readonly string[], leaf: (value: string | number, segments: readonly string[]) => void): void {
  if (Array.isArray(value)) for (const item of value) visit(item, [...segments, "[]"], leaf);
  else if (typeof value === "object" && value !== null) for (const [key, child] of Object.entries(value)) visit(child, [...segments, key], leaf);
  else if (typeof value === "string" || typeof value === "number") leaf(value, segments);
}
