import { errorMessage, RowCountMismatchError } from "../core/errors.js";
import type { Clock, LogSource, Logger, ObjectStore, RecordEncoder, RecordSanitizer, StateStore } from "../core/ports.js";
import type { Column, LogRecord } from "../core/records.js";
import { describeRange, isoInstant } from "../core/time.js";
import { LEDGER_HEADER, ledgerLine, type LedgerEntry } from "./ledger.js";
import { MANIFEST_SCHEMA, parseManifest, windowFields, type ExportManifest, type ManifestPart } from "./manifest.js";
import type { WindowJob } from "./messages.js";
import { ledgerName, manifestName, partObjectName, windowPartsPrefix } from "./naming.js";
import { windowMetrics } from "./metrics.js";
import { measureWindow, packParts, type PartBudget, type PlannedPart } from "./parts.js";
import { withRetries, type RetryPolicy } from "./retry.js";

export interface ExportDependencies {
  readonly source: LogSource;
  /** Where part objects go. */
  readonly data: ObjectStore;
  /** Where manifests and the ledger go. */
  readonly state: StateStore;
  readonly prefix: string;
  readonly encoder: RecordEncoder;
  readonly createSanitizer: () => RecordSanitizer;
  readonly budget: PartBudget;
  readonly partRetry: RetryPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type ExportProgress =
  | { readonly kind: "planned"; readonly parts: number; readonly expectedRows: number }
  | { readonly kind: "part"; readonly index: number; readonly rows: number; readonly bytes: number };

export interface ExportWindowOptions {
  readonly onProgress?: (event: ExportProgress) => void;
}

export type ExportOutcome =
  | { readonly status: "skipped"; readonly manifest: ExportManifest; readonly queries: 0 }
  | { readonly status: "exported"; readonly manifest: ExportManifest; readonly queries: number };

interface PartResult {
  readonly part: ManifestPart;
  readonly columns: readonly Column[];
  readonly sanitizerName: string;
  readonly sanitizerCounts: Readonly<Record<string, number>>;
}

function addCounts(into: Record<string, number>, counts: Readonly<Record<string, number>>): void {
  for (const [rule, n] of Object.entries(counts)) into[rule] = (into[rule] ?? 0) + n;
}

function sameColumns(a: readonly Column[], b: readonly Column[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]?.name && c.type === b[i]?.type);
}

async function* counted(rows: AsyncIterable<LogRecord>, sanitizer: RecordSanitizer, counter: { rows: number }): AsyncIterable<LogRecord> {
  for await (const row of rows) {
    counter.rows += 1;
    yield sanitizer.sanitize(row);
  }
}

/**
 * Exports one (table, window): histogram, parts under budget, each part
 * streamed, verified against the histogram and committed, stray parts of an
 * earlier plan removed, then the manifest (the commit marker) and a ledger line.
 */
export async function exportWindow(deps: ExportDependencies, job: WindowJob, options: ExportWindowOptions = {}): Promise<ExportOutcome> {
  const { source, data, state, encoder, logger } = deps;
  const { table, window } = job;
  const fields = { runId: job.runId, table, window: describeRange(window) };
  const startedMs = deps.clock.now();
  const manifestObject = manifestName(table, window);
  const previous = await state.readText(manifestObject);
  const previousManifest = previous === undefined ? undefined : parseManifest(previous.text);
  if (previousManifest !== undefined && !job.force) {
    logger.info("window already exported; skipping", { ...fields, manifestVersion: previousManifest.version });
    return { status: "skipped", manifest: previousManifest, queries: 0 };
  }

  try {
    const measured = await measureWindow(window, deps.budget, (range, binMs) => source.histogram(table, range, binMs));
    const planned = packParts(window, measured.bins, deps.budget);
    const expectedRows = planned.reduce((sum, p) => sum + p.expectedRows, 0);
    logger.info("window planned", { ...fields, parts: planned.length, expectedRows, histogramQueries: measured.histogramQueries });
    options.onProgress?.({ kind: "planned", parts: planned.length, expectedRows });

    const results: PartResult[] = [];
    for (const part of planned) {
      const result = await withRetries(deps.partRetry, (attempt) => exportPart(deps, job, part, planned.length, attempt), (error, attempt) =>
        logger.warn("part failed; retrying", { ...fields, part: part.index, attempt, error: errorMessage(error) }),
      );
      results.push(result);
      options.onProgress?.({ kind: "part", index: part.index, rows: result.part.exportedRows, bytes: result.part.bytes });
    }

    await removeStrayParts(deps, job, new Set(results.map((r) => r.part.name)));

    const columns = results[0]?.columns ?? [];
    const sanitizerCounts: Record<string, number> = {};
    for (const r of results) addCounts(sanitizerCounts, r.sanitizerCounts);
    const parts = results.map((r) => (sameColumns(r.columns, columns) ? r.part : { ...r.part, columns: r.columns }));
    const finishedMs = deps.clock.now();
    const manifest: ExportManifest = {
      schema: MANIFEST_SCHEMA,
      version: (previousManifest?.version ?? 0) + 1,
      status: "complete",
      source: source.description,
      table,
      window: windowFields(window),
      runId: job.runId,
      reason: job.reason,
      format: { extension: encoder.extension, contentType: encoder.contentType },
      columns,
      expectedRows,
      exportedRows: parts.reduce((sum, p) => sum + p.exportedRows, 0),
      lateRows: parts.reduce((sum, p) => sum + p.lateRows, 0),
      bytes: parts.reduce((sum, p) => sum + p.bytes, 0),
      histogram: { query: source.histogramQuery(table, window, 60_000), queries: measured.histogramQueries, bins: measured.bins.length },
      parts,
      // An empty window has no part whose sanitizer could name itself.
      sanitizer: { name: results[0]?.sanitizerName ?? deps.createSanitizer().name, counts: sanitizerCounts },
      startedAt: isoInstant(startedMs),
      finishedAt: isoInstant(finishedMs),
      durationMs: finishedMs - startedMs,
    };
    await state.writeText(manifestObject, `${JSON.stringify(manifest, null, 2)}\n`);
    await appendLedger(deps, job, ledgerEntry(job, manifest, "complete", ""));
    const metrics = windowMetrics({ rows: manifest.exportedRows, bytes: manifest.bytes, partAttempts: parts.map((p) => p.attempts), durationMs: manifest.durationMs, windowEndMs: window.endMs, nowMs: finishedMs });
    // The metrics line of the window (Application Insights keeps it in traces; the export-lag alert reads it).
    logger.info("window exported", { ...fields, lateRows: manifest.lateRows, ...metrics });
    return { status: "exported", manifest, queries: measured.histogramQueries + results.reduce((sum, r) => sum + r.part.attempts, 0) };
  } catch (error) {
    const finishedMs = deps.clock.now();
    await appendLedger(deps, job, {
      ...ledgerEntry(job, undefined, "failed", errorMessage(error)),
      durationMs: finishedMs - startedMs,
      finishedAt: isoInstant(finishedMs),
    }).catch((ledgerError: unknown) => logger.error("could not record the failure in the ledger", { ...fields, error: errorMessage(ledgerError) }));
    throw error;
  }
}

async function exportPart(deps: ExportDependencies, job: WindowJob, part: PlannedPart, count: number, attempt: number): Promise<PartResult> {
  const started = deps.clock.now();
  const name = partObjectName(deps.prefix, job.table, job.window, part.index, count, deps.encoder.extension);
  const stream = await deps.source.openPart(job.table, part);
  const sanitizer = deps.createSanitizer();
  const counter = { rows: 0 };
  const stored = await deps.data.writeObject(name, deps.encoder.encode(counted(stream.rows, sanitizer, counter), stream.columns), {
    contentType: deps.encoder.contentType,
    metadata: { table: job.table, windowstart: isoInstant(job.window.startMs), windowend: isoInstant(job.window.endMs), part: `${part.index}-of-${count}`, runid: job.runId },
    beforeCommit: () => {
      if (counter.rows < part.expectedRows) {
        throw new RowCountMismatchError(`part ${part.index} of ${count} ${describeRange(part)} returned ${counter.rows} rows, the histogram counted ${part.expectedRows}`, { retriable: true });
      }
    },
  });
  return {
    part: {
      index: part.index,
      name,
      start: isoInstant(part.startMs),
      end: isoInstant(part.endMs),
      query: stream.query,
      expectedRows: part.expectedRows,
      exportedRows: counter.rows,
      lateRows: counter.rows - part.expectedRows,
      bytes: stored.bytes,
      sha256: stored.sha256,
      attempts: attempt,
      durationMs: deps.clock.now() - started,
    },
    columns: stream.columns,
    sanitizerName: sanitizer.name,
    sanitizerCounts: sanitizer.counts(),
  };
}

/** Parts left by an earlier plan of the same window (a different part count) must not outlive it. */
async function removeStrayParts(deps: ExportDependencies, job: WindowJob, keep: ReadonlySet<string>): Promise<void> {
  for await (const name of deps.data.list(windowPartsPrefix(deps.prefix, job.table, job.window))) {
    if (!keep.has(name)) {
      await deps.data.delete(name);
      deps.logger.info("removed a part of an earlier plan", { runId: job.runId, table: job.table, object: name });
    }
  }
}

function ledgerEntry(job: WindowJob, manifest: ExportManifest | undefined, status: LedgerEntry["status"], error: string): LedgerEntry {
  return {
    table: job.table,
    windowStart: isoInstant(job.window.startMs),
    windowEnd: isoInstant(job.window.endMs),
    status,
    rows: manifest?.exportedRows ?? 0,
    files: manifest?.parts.length ?? 0,
    bytes: manifest?.bytes ?? 0,
    durationMs: manifest?.durationMs ?? 0,
    runId: job.runId,
    reason: job.reason,
    manifestVersion: manifest?.version ?? null,
    finishedAt: manifest?.finishedAt ?? "",
    error,
  };
}

async function appendLedger(deps: ExportDependencies, job: WindowJob, entry: LedgerEntry): Promise<void> {
  await deps.state.appendLine(ledgerName(job.window), ledgerLine(entry), LEDGER_HEADER);
}
