import type { Sanitizer } from "../../shared/sanitize/index.js";
import { holdsOwnOutput, valueLeftovers } from "./leftovers.js";

export type JsonType = "string" | "number" | "boolean" | "null" | "object" | "array";

/** One field path (`http.headers.authorization`, `items[].id`) as seen across a sample. */
export interface FieldSummary {
  readonly path: string;
  readonly types: readonly JsonType[];
  /** Share of the sample's records that hold the path at least once, 0–100. */
  readonly fillPercent: number;
  /** Rules configured for this key path. */
  readonly rules: readonly string[];
  /** Values per rule that would still change if the field's values were sanitized in place. */
  readonly detected: Readonly<Record<string, number>>;
  /** Values that hold our sanitizer's output (`[REDACTED:…]`, `pseu_…`, masked networks and text): already sanitized, not detections. */
  readonly sanitized: number;
}

/** A field the sample should hold (seed 002: timestamp, service, message), with its presence against the threshold. */
export interface RequiredField {
  readonly path: string;
  readonly presentPercent: number;
  readonly ok: boolean;
}

interface FieldStats {
  readonly segments: readonly string[];
  readonly types: Set<JsonType>;
  records: number;
  readonly detected: Map<string, number>;
  sanitized: number;
}

const ARRAY = "[]";

/** Collects field paths, types and fill rates of sample records, and which rules fire on each field's values. */
export class SchemaSurvey {
  private records = 0;
  private readonly fields = new Map<string, FieldStats>();

  constructor(private readonly sanitizer: Sanitizer) {}

  get recordCount(): number {
    return this.records;
  }

  add(record: Readonly<Record<string, unknown>>): void {
    this.records += 1;
    const seen = new Set<FieldStats>();
    this.visitObject(record, [], seen);
    for (const stats of seen) stats.records += 1;
  }

  summary(): FieldSummary[] {
    return [...this.fields.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, stats]) => ({
        path,
        types: [...stats.types].sort(),
        fillPercent: this.records === 0 ? 0 : (100 * stats.records) / this.records,
        rules: this.sanitizer.rulesTouching(stats.segments.filter((s) => s !== ARRAY)),
        detected: Object.fromEntries([...stats.detected.entries()].sort(([a], [b]) => a.localeCompare(b))),
        sanitized: stats.sanitized,
      }));
  }

  /** Presence of each required path (dotted, as in the summary) in the sample's records, against minPercent. */
  required(paths: readonly string[], minPercent: number): RequiredField[] {
    return paths.map((path) => {
      const stats = this.fields.get(path);
      const presentPercent = this.records === 0 || stats === undefined ? 0 : (100 * stats.records) / this.records;
      return { path, presentPercent, ok: presentPercent >= minPercent };
    });
  }

  private visitObject(value: Readonly<Record<string, unknown>>, segments: readonly string[], seen: Set<FieldStats>): void {
    for (const [key, child] of Object.entries(value)) this.visit(child, [...segments, key], seen);
  }

  private visit(value: unknown, segments: readonly string[], seen: Set<FieldStats>): void {
    const path = segments.reduce((text, s, i) => (s === ARRAY ? `${text}${ARRAY}` : i === 0 ? s : `${text}.${s}`), "");
    let stats = this.fields.get(path);
    if (stats === undefined) {
      stats = { segments, types: new Set(), records: 0, detected: new Map(), sanitized: 0 };
      this.fields.set(path, stats);
    }
    seen.add(stats);
    const type = jsonType(value);
    stats.types.add(type);
    if (Array.isArray(value)) for (const item of value) this.visit(item, [...segments, ARRAY], seen);
    else if (type === "object") this.visitObject(value as Readonly<Record<string, unknown>>, segments, seen);
    else if (typeof value === "string" || typeof value === "number") this.detect(value, stats);
  }

  /** Sanitizes the value alone at its own path, so key-based rules fire as they would in the full record; our own output is no detection. */
  private detect(value: string | number, stats: FieldStats): void {
    if (typeof value === "string" && holdsOwnOutput(value)) stats.sanitized += 1;
    for (const rule of valueLeftovers(this.sanitizer, value, stats.segments)) stats.detected.set(rule, (stats.detected.get(rule) ?? 0) + 1);
  }
}

function jsonType(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const type = typeof value;
  return type === "string" || type === "number" || type === "boolean" || type === "object" ? type : "null";
}
