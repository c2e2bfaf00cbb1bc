import { errorMessage, ShrinkRefusedError } from "../core/errors.js";
import type { Clock, LogSource, Logger, ObjectStore, RecordEncoder, RecordTransform, SourceStatistics, StateStore } from "../core/ports.js";
import { describeRange, isoInstant, type TimeRange } from "../core/time.js";
import { LEDGER_HEADER, ledgerLine, type LedgerEntry } from "./ledger.js";
import { MANIFEST_SCHEMA, parseManifest, windowFields, type ExportManifest } from "./manifest.js";
import type { WindowJob } from "./messages.js";
import { windowMetrics } from "./metrics.js";
import { ledgerName, manifestName, windowObjectsPrefix } from "./naming.js";
import { planWindowParts, type PartBudget } from "./parts.js";
import type { RetryPolicy } from "./retry.js";
import { writePartObjects, writeWindowObject } from "./window-objects.js";

/**
 * Where a window's rows go: one object per part under a prefix (Log Analytics tables, any window
 * size), or one object for the whole window named by the window alone (the AWS hour's Parquet file).
 */
export type ObjectLayout =
  | { readonly kind: "part-objects"; readonly prefix: string }
  | { readonly kind: "window-object"; objectName(window: TimeRange, generation: number): string };

/** Everything one export needs; built only by shared/wiring from the settings of either cloud. */
export interface ExportDependencies {
  readonly source: LogSource;
  /** Where the objects go. */
  readonly data: ObjectStore;
  /** Where manifests and the ledger go. */
  readonly state: StateStore;
  readonly layout: ObjectLayout;
  readonly encoder: RecordEncoder;
  /** A fresh transform (with its own sanitizer, which counts its matches) per part or per window. */
  readonly createTransform: () => RecordTransform;
  readonly budget: PartBudget;
  readonly partRetry: RetryPolicy;
  /** Part queries in flight at once for a window-object layout (results are still written in time order). */
  readonly concurrency: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the window's manifest goes in `state` (default: `manifests/table=…/…`); the single-file CLIs put it beside the file. */
  readonly manifestName?: (table: string, window: TimeRange) => string;
  /** Append a line per outcome to the daily ledger (default true; off for single-file CLI exports, which are not an archive). */
  readonly ledger?: boolean;
}

export type ExportProgress =
  | { readonly kind: "planned"; readonly parts: number; readonly expectedRows: number }
  | { readonly kind: "part"; readonly partsDone: number; readonly rowsRead: number };

export interface ExportWindowOptions {
  readonly onProgress?: (event: ExportProgress) => void;
  readonly abortSignal?: AbortSignal;
}

export type ExportOutcome =
  | { readonly status: "skipped"; readonly manifest: ExportManifest; readonly queries: 0 }
  | { readonly status: "exported"; readonly manifest: ExportManifest; readonly queries: number };

function manifestNameOf(deps: ExportDependencies, job: WindowJob): string {
  return (deps.manifestName ?? manifestName)(job.table, job.window);
}

/** The window's manifest when it has one (what skip-if-done reads). */
async function readWindowManifest(deps: ExportDependencies, job: WindowJob): Promise<ExportManifest | undefined> {
  const found = await deps.state.readText(manifestNameOf(deps, job));
  return found === undefined ? undefined : parseManifest(found.text);
}

/**
 * Exports one (table or export, window), the same way on both clouds: skip when a manifest exists
 * (unless forced); a histogram; parts under the budget; the objects of a new generation, each verified
 * against the histogram before it becomes visible; then the manifest (the commit marker), and only then
 * the objects of earlier generations deleted, a ledger line and the metrics line. A re-export never
 * archives fewer rows than the manifest it replaces unless the job allows it, and never empties a window.
 */
export async function exportWindow(deps: ExportDependencies, job: WindowJob, options: ExportWindowOptions = {}): Promise<ExportOutcome> {
  const { source, logger } = deps;
  const fields = { runId: job.runId, table: job.table, window: describeRange(job.window) };
  const startedMs = deps.clock.now();
  const previous = await readWindowManifest(deps, job);
  if (previous !== undefined && !job.force) {
    logger.info("window already exported; skipping", { ...fields, manifestVersion: previous.version });
    return { status: "skipped", manifest: await finishCleanup(deps, job, previous), queries: 0 };
  }
  const generation = (previous?.version ?? 0) + 1;
  const replaced = previous !== undefined && sameWindow(previous, job.window) ? previous : undefined;
  const before = source.statistics?.();
  try {
    const { measured, parts: planned } = await planWindowParts(source, job.table, job.window, deps.budget, options.abortSignal);
    const expectedRows = planned.reduce((sum, p) => sum + p.expectedRows, 0);
    // Before anything is written: the source now counts fewer rows than the archived generation read.
    if (replaced !== undefined && replaced.exportedRows > 0) checkShrink(job, replaced, replaced.readRows, expectedRows, "the source now counts");
    logger.info("window planned", {
      ...fields,
      generation,
      parts: planned.length,
      scans: planned.filter((p) => p.scan === true).length,
      expectedRows,
      histogramQueries: measured.histogramQueries,
    });
    options.onProgress?.({ kind: "planned", parts: planned.length, expectedRows });
    const progress = (partsDone: number, rowsRead: number): void => options.onProgress?.({ kind: "part", partsDone, rowsRead });

    const written =
      deps.layout.kind === "part-objects"
        ? await writePartObjects(deps, job, planned, deps.layout.prefix, generation, options.abortSignal, progress)
        : await writeWindowObject(deps, job, planned, deps.layout.objectName(job.window, generation), options.abortSignal, progress);
    const kept = new Set(written.objects.map((o) => o.name));
    if (replaced !== undefined) {
      try {
        checkShrink(job, replaced, replaced.exportedRows, written.tally.exported, "this export wrote");
      } catch (error) {
        // The new generation never became the window's: its objects go, the archived ones stay.
        const archived = new Set(replaced.objects.map((o) => o.name));
        await deleteObjects(
          deps,
          job,
          [...kept].filter((name) => !archived.has(name)),
          "removed an object of a refused re-export",
        );
        throw error;
      }
    }
    const stale = await staleObjects(deps, job, previous, kept);

    const finishedMs = deps.clock.now();
    const after = source.statistics?.();
    const shrank = replaced !== undefined && written.tally.exported < replaced.exportedRows;
    const manifest: ExportManifest = {
      schema: MANIFEST_SCHEMA,
      version: generation,
      status: "complete",
      source: source.description,
      table: job.table,
      window: windowFields(job.window),
      runId: job.runId,
      reason: job.reason,
      format: { extension: deps.encoder.extension, contentType: deps.encoder.contentType, ...deps.encoder.format?.(written.columns) },
      columns: written.columns,
      expectedRows,
      readRows: written.tally.read,
      exportedRows: written.tally.exported,
      lateRows: Math.max(0, written.tally.read - expectedRows),
      excluded: written.tally.excluded,
      malformed: written.tally.malformed,
      bytes: written.objects.reduce((sum, o) => sum + o.bytes, 0),
      histogram: { query: source.histogramQuery(job.table, job.window, 60_000), queries: measured.histogramQueries, bins: measured.bins.length },
      objects: written.objects,
      parts: written.parts,
      sanitizer: written.sanitizer,
      ...(stale.length === 0 ? {} : { cleanup: stale }),
      ...(shrank ? { shrink: { fromVersion: replaced.version, fromRows: replaced.exportedRows } } : {}),
      ...(before === undefined || after === undefined
        ? {}
        : {
            bytesScanned: after.bytesScanned - before.bytesScanned,
            queryIds: after.queryIds.slice(before.queryIds.length),
            ...throttledBetween(before, after),
          }),
      startedAt: isoInstant(startedMs),
      finishedAt: isoInstant(finishedMs),
      durationMs: finishedMs - startedMs,
    };
    await writeManifest(deps, job, manifest);
    const committed = await finishCleanup(deps, job, manifest);
    const note = shrank ? `allowed shrink from ${replaced.exportedRows} rows (version ${replaced.version}) to ${manifest.exportedRows}` : "";
    await appendLedger(deps, job, ledgerEntry(job, committed, "complete", note));
    // The metrics line of the window (Application Insights keeps it in traces; the export-lag alert reads it).
    logger.info("window exported", {
      ...fields,
      generation,
      lateRows: manifest.lateRows,
      malformed: manifest.malformed.count,
      ...manifestMetrics(manifest, finishedMs),
    });
    return { status: "exported", manifest: committed, queries: measured.histogramQueries + manifest.parts.reduce((sum, p) => sum + p.attempts, 0) };
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

/** A single-file export may find the manifest of another range beside its file: not the same window's archive. */
/** Refusals the source waited out during this export, when it counts them. */
function throttledBetween(before: SourceStatistics, after: SourceStatistics): { throttled?: number } {
  return after.throttled === undefined ? {} : { throttled: after.throttled - (before.throttled ?? 0) };
}

function sameWindow(manifest: ExportManifest, window: TimeRange): boolean {
  return manifest.window.start === isoInstant(window.startMs) && manifest.window.end === isoInstant(window.endMs);
}

/** Refuses a re-export that would archive fewer rows than `archived`, unless the job allows it; one that would leave none, always. */
function checkShrink(job: WindowJob, previous: ExportManifest, archived: number, now: number, what: string): void {
  if (now >= archived) return;
  const detail = `${job.table} ${describeRange(job.window)}: the archive holds ${previous.exportedRows} rows (manifest version ${previous.version}, ${previous.readRows} read) and ${what} ${now}`;
  if (now === 0)
    throw new ShrinkRefusedError(`${detail}; a re-export never empties an archived window (delete its objects and manifest by hand if that is meant)`);
  if (job.allowShrink !== true)
    throw new ShrinkRefusedError(
      `${detail}; refused: to archive fewer rows, re-export with allowShrink (HTTP "allowShrink": true, CLI --allow-shrink, Lambda event "allowShrink": true)`,
    );
}

function writeManifest(deps: ExportDependencies, job: WindowJob, manifest: ExportManifest): Promise<string | undefined> {
  return deps.state.writeText(manifestNameOf(deps, job), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Objects of the window that the new manifest will not list: every other object under the window's
 * name (earlier generations, parts of an interrupted attempt) for part objects; the earlier generation's
 * objects and leftovers for a window object (its data location is written, never listed).
 */
async function staleObjects(deps: ExportDependencies, job: WindowJob, previous: ExportManifest | undefined, kept: ReadonlySet<string>): Promise<string[]> {
  const candidates: string[] = [];
  if (deps.layout.kind === "part-objects") {
    for await (const name of deps.data.list(windowObjectsPrefix(deps.layout.prefix, job.table, job.window))) candidates.push(name);
  } else if (previous !== undefined) {
    candidates.push(...previous.objects.map((o) => o.name), ...(previous.cleanup ?? []));
  }
  return [...new Set(candidates)].filter((name) => !kept.has(name));
}

async function deleteObjects(deps: ExportDependencies, job: WindowJob, names: readonly string[], message: string): Promise<void> {
  for (const name of names) {
    await deps.data.delete(name);
    deps.logger.info(message, { runId: job.runId, table: job.table, object: name });
  }
}

/**
 * Deletes what a committed manifest lists under `cleanup`, then rewrites it without the list. A failure
 * is logged, not thrown: the window is exported, and the next run that meets the manifest finishes it.
 */
async function finishCleanup(deps: ExportDependencies, job: WindowJob, manifest: ExportManifest): Promise<ExportManifest> {
  if (manifest.cleanup === undefined || manifest.cleanup.length === 0) return manifest;
  try {
    await deleteObjects(deps, job, manifest.cleanup, "removed an object of an earlier generation");
    const { cleanup: _done, ...clean } = manifest;
    await writeManifest(deps, job, clean);
    return clean;
  } catch (error) {
    deps.logger.warn("could not remove objects of an earlier generation; the next run will", {
      runId: job.runId,
      table: job.table,
      window: describeRange(job.window),
      error: errorMessage(error),
    });
    return manifest;
  }
}

/** The metrics of one exported window, from its manifest (log fields on Azure, Embedded Metric Format on AWS). */
export function manifestMetrics(manifest: ExportManifest, nowMs: number) {
  return windowMetrics({
    rows: manifest.exportedRows,
    bytes: manifest.bytes,
    partAttempts: manifest.parts.map((p) => p.attempts),
    durationMs: manifest.durationMs,
    windowEndMs: Date.parse(manifest.window.end),
    nowMs,
  });
}

function ledgerEntry(job: WindowJob, manifest: ExportManifest | undefined, status: LedgerEntry["status"], error: string): LedgerEntry {
  return {
    table: job.table,
    windowStart: isoInstant(job.window.startMs),
    windowEnd: isoInstant(job.window.endMs),
    status,
    rows: manifest?.exportedRows ?? 0,
    files: manifest?.objects.length ?? 0,
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
  if (deps.ledger === false) return;
  await deps.state.appendLine(ledgerName(job.table, job.window), ledgerLine(entry), LEDGER_HEADER);
}
