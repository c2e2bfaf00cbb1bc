import { errorMessage, RowCountMismatchError } from "../core/errors.js";
import type { Clock, LogSource, Logger, ObjectStore, PartStream, QueryOptions, RecordEncoder, RecordTransform } from "../core/ports.js";
import type { LogRecord } from "../core/records.js";
import { describeRange, isoInstant, type TimeRange } from "../core/time.js";
import { inOrder } from "./in-order.js";
import { windowMetrics } from "./metrics.js";
import { measureWindow, packParts, type PartBudget, type PlannedPart } from "./parts.js";
import { withRetries, type RetryPolicy } from "./retry.js";

/** A source that can also read a slice exactly when it is too dense for any query. */
export interface ScanningSource extends LogSource {
  scanPart(table: string, range: TimeRange, options?: QueryOptions): Promise<PartStream>;
  /** Running totals of what the source's queries cost. */
  statistics(): { readonly bytesScanned: number; readonly queryIds: readonly string[] };
}

export interface ObjectExportDependencies {
  readonly source: ScanningSource;
  readonly store: ObjectStore;
  readonly encoder: RecordEncoder;
  readonly budget: PartBudget;
  readonly partRetry: RetryPolicy;
  /** Part queries in flight at once; results are still written in time order. */
  readonly concurrency: number;
  /** A fresh transform per export; its sanitizer's counts go into the manifest. */
  readonly createTransform: () => RecordTransform;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface ObjectExportJob {
  /** The source's name for what is read (a log group label). */
  readonly table: string;
  readonly window: TimeRange;
  readonly objectName: string;
  readonly runId: string;
}

export const OBJECT_MANIFEST_SCHEMA = "logexport.object-manifest/v1";
const MALFORMED_SAMPLES = 5;

export interface ObjectManifestPart {
  readonly index: number;
  readonly start: string;
  readonly end: string;
  readonly method: "query" | "scan";
  readonly query: string;
  readonly expectedLines: number;
  readonly readLines: number;
  readonly attempts: number;
}

/** Beside every object: what was expected, read, written, excluded and could not be parsed. */
export interface ObjectManifest {
  readonly schema: typeof OBJECT_MANIFEST_SCHEMA;
  readonly source: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly runId: string;
  readonly object: { readonly name: string; readonly bytes: number; readonly sha256: string; readonly contentType: string };
  /** Lines the histogram counted, lines the parts returned (more means late arrivals), rows written. */
  readonly expectedLines: number;
  readonly readLines: number;
  readonly rows: number;
  readonly excluded: Readonly<Record<string, number>>;
  readonly malformed: { readonly count: number; readonly samples: readonly string[] };
  readonly sanitizer: { readonly name: string; readonly counts: Readonly<Record<string, number>> };
  readonly histogramQueries: number;
  /** What this export's queries scanned (Logs Insights bills per GB scanned) and their ids. */
  readonly bytesScanned: number;
  readonly queryIds: readonly string[];
  readonly parts: readonly ObjectManifestPart[];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
}

/** The metrics of one exported object, from its manifest. */
export function objectMetrics(manifest: ObjectManifest, nowMs: number) {
  return windowMetrics({ rows: manifest.rows, bytes: manifest.object.bytes, partAttempts: manifest.parts.map((p) => p.attempts), durationMs: manifest.durationMs, windowEndMs: Date.parse(manifest.window.end), nowMs });
}

export function objectManifestName(objectName: string): string {
  return `${objectName}.manifest.json`;
}

interface ReadPart {
  readonly part: PlannedPart;
  readonly records: LogRecord[];
  readonly query: string;
  readonly attempts: number;
}

function stableOrder(a: LogRecord, b: LogRecord): number {
  return Number(a.timestamp) - Number(b.timestamp) || String(a.logStream).localeCompare(String(b.logStream)) || String(a.message).localeCompare(String(b.message));
}

async function readPart(deps: ObjectExportDependencies, job: ObjectExportJob, part: PlannedPart, abortSignal: AbortSignal | undefined): Promise<ReadPart> {
  return withRetries(
    deps.partRetry,
    async (attempt) => {
      const stream = part.scan === true ? await deps.source.scanPart(job.table, part, { abortSignal }) : await deps.source.openPart(job.table, part, { abortSignal });
      const records: LogRecord[] = [];
      for await (const record of stream.rows) records.push(record);
      if (records.length < part.expectedRows) {
        throw new RowCountMismatchError(`part ${part.index} ${describeRange(part)} returned ${records.length} lines, the histogram counted ${part.expectedRows}`, { retriable: true });
      }
      // The service orders by time only; a total order makes a rerun write the same bytes.
      records.sort(stableOrder);
      return { part, records, query: stream.query, attempts: attempt };
    },
    (error, attempt) => deps.logger.warn("part failed; retrying", { runId: job.runId, window: describeRange(job.window), part: part.index, attempt, error: errorMessage(error) }),
  );
}

/**
 * Exports one window into ONE object (an hour of access logs into one Parquet
 * file): parts are planned under the query limit, read with bounded
 * concurrency, each checked against the histogram before any of its rows is
 * written, and fed in time order through the transform into the encoder. The
 * object appears only when complete; its manifest is written beside it.
 */
export interface ObjectExportOptions {
  readonly abortSignal?: AbortSignal;
  readonly onProgress?: (event: { readonly parts: number; readonly partsRead: number; readonly expectedLines: number; readonly linesRead: number }) => void;
}

export async function exportToObject(deps: ObjectExportDependencies, job: ObjectExportJob, options: ObjectExportOptions = {}): Promise<ObjectManifest> {
  const started = deps.clock.now();
  const before = deps.source.statistics();
  const fields = { runId: job.runId, window: describeRange(job.window), object: job.objectName };
  const measured = await measureWindow(job.window, deps.budget, (range, binMs) => deps.source.histogram(job.table, range, binMs, options), { scanDenseSlices: true });
  const parts = packParts(job.window, measured.bins, deps.budget);
  const expectedLines = parts.reduce((sum, p) => sum + p.expectedRows, 0);
  deps.logger.info("window planned", { ...fields, parts: parts.length, scans: parts.filter((p) => p.scan === true).length, expectedLines });

  const transform = deps.createTransform();
  const done: ReadPart[] = [];
  const progress = (linesRead: number): void => options.onProgress?.({ parts: parts.length, partsRead: done.length, expectedLines, linesRead });
  let linesRead = 0;
  const excluded: Record<string, number> = {};
  const malformed = { count: 0, samples: [] as string[] };
  let rows = 0;
  async function* transformed(): AsyncGenerator<LogRecord> {
    for await (const read of inOrder(parts.length, deps.concurrency, (i) => readPart(deps, job, parts[i] as PlannedPart, options.abortSignal))) {
      done.push(read);
      linesRead += read.records.length;
      progress(linesRead);
      for (const record of read.records) {
        const result = transform.apply(record);
        if (result.kind === "row") {
          rows += 1;
          yield result.row;
        } else if (result.kind === "excluded") {
          excluded[result.reason] = (excluded[result.reason] ?? 0) + 1;
        } else {
          malformed.count += 1;
          if (malformed.samples.length < MALFORMED_SAMPLES) malformed.samples.push(result.sample.slice(0, 500));
        }
      }
    }
  }
  const stored = await deps.store.writeObject(job.objectName, deps.encoder.encode(transformed(), []), {
    contentType: deps.encoder.contentType,
    metadata: { windowstart: isoInstant(job.window.startMs), windowend: isoInstant(job.window.endMs), runid: job.runId },
  });
  const finished = deps.clock.now();
  const after = deps.source.statistics();
  const manifest: ObjectManifest = {
    schema: OBJECT_MANIFEST_SCHEMA,
    source: deps.source.description,
    window: { start: isoInstant(job.window.startMs), end: isoInstant(job.window.endMs) },
    runId: job.runId,
    object: { name: job.objectName, bytes: stored.bytes, sha256: stored.sha256, contentType: deps.encoder.contentType },
    expectedLines,
    readLines: done.reduce((sum, r) => sum + r.records.length, 0),
    rows,
    excluded,
    malformed,
    sanitizer: { name: transform.sanitizer.name, counts: transform.sanitizer.counts() },
    histogramQueries: measured.histogramQueries,
    bytesScanned: after.bytesScanned - before.bytesScanned,
    queryIds: after.queryIds.slice(before.queryIds.length),
    parts: done.map((r) => ({
      index: r.part.index,
      start: isoInstant(r.part.startMs),
      end: isoInstant(r.part.endMs),
      method: r.part.scan === true ? "scan" : "query",
      query: r.query,
      expectedLines: r.part.expectedRows,
      readLines: r.records.length,
      attempts: r.attempts,
    })),
    startedAt: isoInstant(started),
    finishedAt: isoInstant(finished),
    durationMs: finished - started,
  };
  await deps.store.writeText(objectManifestName(job.objectName), `${JSON.stringify(manifest, null, 2)}\n`);
  deps.logger.info("window exported", { ...fields, readLines: manifest.readLines, malformed: malformed.count, ...objectMetrics(manifest, finished) });
  return manifest;
}
