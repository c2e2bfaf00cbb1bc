import type { LogRecord, TransformResult } from "../core/records.js";
import type { RecordSanitizer, RecordTransform } from "../core/ports.js";

const MALFORMED_SAMPLES = 5;
const SAMPLE_CHARS = 500;

/** What became of the rows one transform saw: read, written, excluded by reason, malformed with a few samples. */
export interface RowTally {
  read: number;
  exported: number;
  readonly excluded: Record<string, number>;
  readonly malformed: { count: number; readonly samples: string[] };
}

export function emptyTally(): RowTally {
  return { read: 0, exported: 0, excluded: {}, malformed: { count: 0, samples: [] } };
}

export function addCounts(into: Record<string, number>, counts: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(counts)) into[key] = (into[key] ?? 0) + n;
}

export function addTally(into: RowTally, from: RowTally): void {
  into.read += from.read;
  into.exported += from.exported;
  addCounts(into.excluded, from.excluded);
  into.malformed.count += from.malformed.count;
  for (const sample of from.malformed.samples) if (into.malformed.samples.length < MALFORMED_SAMPLES) into.malformed.samples.push(sample);
}

function count(tally: RowTally, result: TransformResult, sanitizer: RecordSanitizer): LogRecord | undefined {
  if (result.kind === "row") {
    tally.exported += 1;
    return result.row;
  }
  if (result.kind === "excluded") tally.excluded[result.reason] = (tally.excluded[result.reason] ?? 0) + 1;
  else {
    tally.malformed.count += 1;
    // Sanitized whole, then cut: a secret the cut would split is still found.
    if (tally.malformed.samples.length < MALFORMED_SAMPLES) tally.malformed.samples.push(sanitizer.sanitizeText(result.sample).slice(0, SAMPLE_CHARS));
  }
  return undefined;
}

/** The records through the transform: rows go on, everything else is counted, nothing is dropped silently. */
export async function* transformed(
  records: AsyncIterable<LogRecord> | Iterable<LogRecord>,
  transform: RecordTransform,
  tally: RowTally,
): AsyncGenerator<LogRecord> {
  for await (const record of records) {
    tally.read += 1;
    const row = count(tally, transform.apply(record), transform.sanitizer);
    if (row !== undefined) yield row;
  }
}
