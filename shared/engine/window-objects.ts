import { errorMessage, RowCountMismatchError } from "../core/errors.js";
import type { LogSource, PartStream, QueryOptions } from "../core/ports.js";
import type { Column, LogRecord } from "../core/records.js";
import { describeRange, isoInstant } from "../core/time.js";
import type { ExportDependencies } from "./export-window.js";
import { inOrder } from "./in-order.js";
import type { ManifestObject, ManifestPart } from "./manifest.js";
import type { WindowJob } from "./messages.js";
import { partObjectName } from "./naming.js";
import type { PlannedPart } from "./parts.js";
import { withRetries } from "./retry.js";
import { addCounts, addTally, emptyTally, transformed, type RowTally } from "./tally.js";

/** What the objects of one window hold, for its manifest. */
export interface WrittenWindow {
  readonly parts: readonly ManifestPart[];
  readonly objects: readonly ManifestObject[];
  readonly columns: readonly Column[];
  readonly tally: RowTally;
  readonly sanitizer: { readonly name: string; readonly counts: Readonly<Record<string, number>> };
}

function openPart(source: LogSource, table: string, part: PlannedPart, options: QueryOptions): Promise<PartStream> {
  if (part.scan !== true) return source.openPart(table, part, options);
  if (source.scanPart === undefined) throw new TypeError(`the planner marked ${describeRange(part)} for a scan, but ${source.description} cannot scan`);
  return source.scanPart(table, part, options);
}

function tooFew(part: PlannedPart, count: number, read: number): RowCountMismatchError {
  return new RowCountMismatchError(`part ${part.index} of ${count} ${describeRange(part)} returned ${read} rows, the histogram counted ${part.expectedRows}`, {
    retriable: true,
  });
}

function metadata(job: WindowJob, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { table: job.table, windowstart: isoInstant(job.window.startMs), windowend: isoInstant(job.window.endMs), runid: job.runId, ...extra };
}

/** The retry log line of a part, the same for both layouts. */
function onPartRetry(deps: ExportDependencies, job: WindowJob, part: PlannedPart): (error: unknown, attempt: number) => void {
  return (error, attempt) =>
    deps.logger.warn("part failed; retrying", {
      runId: job.runId,
      table: job.table,
      window: describeRange(job.window),
      part: part.index,
      attempt,
      error: errorMessage(error),
    });
}

function sameColumns(a: readonly Column[], b: readonly Column[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]?.name && c.type === b[i]?.type);
}

function manifestPart(part: PlannedPart, object: string, query: string, tally: RowTally, attempts: number, durationMs: number): ManifestPart {
  return {
    index: part.index,
    object,
    start: isoInstant(part.startMs),
    end: isoInstant(part.endMs),
    method: part.scan === true ? "scan" : "query",
    query,
    expectedRows: part.expectedRows,
    readRows: tally.read,
    exportedRows: tally.exported,
    attempts,
    durationMs,
  };
}

/**
 * One object per part, each streamed from the source into storage and committed only when it holds
 * at least the rows the histogram counted (Log Analytics windows: parts of up to 200,000 rows never
 * sit in memory). Parts go one after another; a part that fails is retried from its query.
 */
export async function writePartObjects(
  deps: ExportDependencies,
  job: WindowJob,
  planned: readonly PlannedPart[],
  prefix: string,
  generation: number,
  signal: AbortSignal | undefined,
  onPartDone: (partsDone: number, rowsRead: number) => void,
): Promise<WrittenWindow> {
  const parts: ManifestPart[] = [];
  const objects: ManifestObject[] = [];
  const tally = emptyTally();
  const sanitizerCounts: Record<string, number> = {};
  let sanitizerName: string | undefined;
  let columns: readonly Column[] | undefined;
  for (const part of planned) {
    const written = await withRetries(
      deps.partRetry,
      async (attempt) => {
        const started = deps.clock.now();
        const name = partObjectName(prefix, job.table, job.window, generation, part.index, planned.length, deps.encoder.extension);
        const stream = await openPart(deps.source, job.table, part, { abortSignal: signal });
        const transform = deps.createTransform();
        const partTally = emptyTally();
        const stored = await deps.data.writeObject(name, deps.encoder.encode(transformed(stream.rows, transform, partTally), stream.columns), {
          contentType: deps.encoder.contentType,
          metadata: metadata(job, { part: `${part.index}-of-${planned.length}` }),
          beforeCommit: () => {
            if (partTally.read < part.expectedRows) throw tooFew(part, planned.length, partTally.read);
          },
        });
        return { stored, stream, transform, partTally, part: manifestPart(part, name, stream.query, partTally, attempt, deps.clock.now() - started) };
      },
      onPartRetry(deps, job, part),
      signal,
      deps.clock,
    );
    columns ??= written.stream.columns;
    const same = sameColumns(written.stream.columns, columns);
    // Once per window: each part's file describes itself, and the manifest lists the part's columns.
    if (!same && parts.every((p) => p.columns === undefined)) {
      deps.logger.warn("columns changed within the window", {
        runId: job.runId,
        table: job.table,
        window: describeRange(job.window),
        part: part.index,
        columns: written.stream.columns.map((c) => `${c.name}:${c.type}`),
      });
    }
    parts.push(same ? written.part : { ...written.part, columns: written.stream.columns });
    objects.push({ name: written.stored.name, rows: written.partTally.exported, bytes: written.stored.bytes, sha256: written.stored.sha256 });
    addTally(tally, written.partTally);
    addCounts(sanitizerCounts, written.transform.sanitizer.counts());
    sanitizerName = written.transform.sanitizer.name;
    onPartDone(parts.length, tally.read);
  }
  // An empty window has no part whose sanitizer could name itself.
  return {
    parts,
    objects,
    columns: deps.encoder.columns ?? columns ?? [],
    tally,
    sanitizer: { name: sanitizerName ?? deps.createTransform().sanitizer.name, counts: sanitizerCounts },
  };
}

interface ReadPart {
  readonly part: PlannedPart;
  readonly records: readonly LogRecord[];
  readonly query: string;
  readonly attempts: number;
  readonly durationMs: number;
}

/**
 * One object for the whole window (the AWS hour as one Parquet file): parts are read with bounded
 * concurrency, each checked against the histogram before any of its rows is written, and fed in time
 * order through one transform into the encoder. The object appears only when complete.
 */
export async function writeWindowObject(
  deps: ExportDependencies,
  job: WindowJob,
  planned: readonly PlannedPart[],
  name: string,
  signal: AbortSignal | undefined,
  onPartRead: (partsRead: number, rowsRead: number) => void,
): Promise<WrittenWindow> {
  const read = (part: PlannedPart): Promise<ReadPart> =>
    withRetries(
      deps.partRetry,
      async (attempt) => {
        const started = deps.clock.now();
        const stream = await openPart(deps.source, job.table, part, { abortSignal: signal });
        const records: LogRecord[] = [];
        for await (const record of stream.rows) records.push(record);
        if (records.length < part.expectedRows) throw tooFew(part, planned.length, records.length);
        return { part, records, query: stream.query, attempts: attempt, durationMs: deps.clock.now() - started };
      },
      onPartRetry(deps, job, part),
      signal,
      deps.clock,
    );
  const transform = deps.createTransform();
  const tally = emptyTally();
  const parts: ManifestPart[] = [];
  async function* rows(): AsyncGenerator<LogRecord> {
    for await (const done of inOrder(planned.length, deps.concurrency, (i) => read(planned[i] as PlannedPart))) {
      const partTally = emptyTally();
      yield* transformed(done.records, transform, partTally);
      addTally(tally, partTally);
      parts.push(manifestPart(done.part, name, done.query, partTally, done.attempts, done.durationMs));
      onPartRead(parts.length, tally.read);
    }
  }
  const stored = await deps.data.writeObject(name, deps.encoder.encode(rows(), deps.encoder.columns ?? []), {
    contentType: deps.encoder.contentType,
    metadata: metadata(job),
  });
  return {
    parts,
    objects: [{ name: stored.name, rows: tally.exported, bytes: stored.bytes, sha256: stored.sha256 }],
    columns: deps.encoder.columns ?? [],
    tally,
    sanitizer: { name: transform.sanitizer.name, counts: transform.sanitizer.counts() },
  };
}
