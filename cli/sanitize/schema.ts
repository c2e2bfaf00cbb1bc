import type { Sanitizer } from "../../shared/sanitize/sanitizer.js";

export type JsonType = "string" | "number" | "boolean" | "null" | "object" | "array";

/** One field path (`http.headers.authorization`, `items[].id`) as seen across a sample. */
export interface FieldSummary {
  readonly path: string;
  readonly types: readonly JsonType[];
  /** Share of the sample's records that hold the path at least once, 0–100. */
  readonly fillPercent: number;
  /** Rules configured for this key path. */
  readonly rules: readonly string[];
  /** Matches per rule when the field's values are sanitized in place. */
  readonly detected: Readonly<Record<string, number>>;
}

interface FieldStats {
  readonly segments: readonly string[];
  readonly types: Set<JsonType>;
  records: number;
  readonly detected: Map<string, number>;
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
      }));
  }

  private visitObject(value: Readonly<Record<string, unknown>>, segments: readonly string[], seen: Set<FieldStats>): void {
    for (const [key, child] of Object.entries(value)) this.visit(child, [...segments, key], seen);
  }

  private visit(value: unknown, segments: readonly string[], seen: Set<FieldStats>): void {
    const path = segments.reduce((text, s, i) => (s === ARRAY ? `${text}${ARRAY}` : i === 0 ? s : `${text}.${s}`), "");
    let stats = this.fields.get(path);
    if (stats === undefined) {
      stats = { segments, types: new Set(), records: 0, detected: new Map() };
      this.fields.set(path, stats);
    }
    seen.add(stats);
    const type = jsonType(value);
    stats.types.add(type);
    if (Array.isArray(value)) for (const item of value) this.visit(item, [...segments, ARRAY], seen);
    else if (type === "object") this.visitObject(value as Readonly<Record<string, unknown>>, segments, seen);
    else if (type === "string" || type === "number") this.detect(value, stats);
  }

  /** Sanitizes the value alone at its own path, so key-based rules fire as they would in the full record. */
  private detect(value: unknown, stats: FieldStats): void {
    let nested: unknown = value;
    for (let i = stats.segments.length - 1; i >= 0; i -= 1) nested = stats.segments[i] === ARRAY ? [nested] : { [stats.segments[i] ?? ""]: nested };
    const before = this.sanitizer.counts();
    this.sanitizer.sanitize(nested as Record<string, unknown>);
    for (const [rule, count] of Object.entries(this.sanitizer.counts())) {
      const added = count - (before[rule] ?? 0);
      if (added > 0) stats.detected.set(rule, (stats.detected.get(rule) ?? 0) + added);
    }
  }
}

function jsonType(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const type = typeof value;
  return type === "string" || type === "number" || type === "boolean" || type === "object" ? type : "null";
}
