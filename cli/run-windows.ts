import { errorMessage } from "../shared/core/errors.js";
import { describeRange, type TimeRange } from "../shared/core/time.js";
import type { Logger } from "../shared/core/ports.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import type { JobReason } from "../shared/engine/messages.js";
import { ProgressBar } from "./progress.js";
import { formatBytes, renderTable } from "./table.js";

export interface WindowTask {
  readonly table: string;
  readonly window: TimeRange;
}

export interface RunOptions {
  readonly runId: string;
  readonly reason: JobReason;
  readonly force: boolean;
  readonly allowShrink: boolean;
  readonly concurrency: number;
  /** Stops starting new windows; windows under way are not aborted and finish (committed or failed). */
  readonly signal?: AbortSignal;
}

export interface TableSummary {
  windows: number;
  skipped: number;
  failed: number;
  expected: number;
  exported: number;
  files: number;
  bytes: number;
  ms: number;
}

export interface FailedWindow extends WindowTask {
  readonly error: string;
}

export interface RunResult {
  readonly summary: ReadonlyMap<string, TableSummary>;
  /** Windows exported or skipped as already complete. */
  readonly done: number;
  readonly failed: readonly FailedWindow[];
  readonly total: number;
  readonly aborted: boolean;
}

/**
 * Exports windows with bounded concurrency and a progress bar. Windows with a
 * complete manifest are skipped (unless forced), so a run that was
 * interrupted and started again continues where it stopped. A window that
 * fails is recorded and the others go on.
 */
export async function runWindows(
  exporter: AzureExport,
  logger: Logger,
  tasks: readonly WindowTask[],
  options: RunOptions,
  stderr: NodeJS.WriteStream,
): Promise<RunResult> {
  const bar = new ProgressBar(stderr, tasks.length, "windows");
  const summary = new Map<string, TableSummary>();
  for (const task of tasks)
    if (!summary.has(task.table)) summary.set(task.table, { windows: 0, skipped: 0, failed: 0, expected: 0, exported: 0, files: 0, bytes: 0, ms: 0 });
  const failed: FailedWindow[] = [];
  let next = 0;
  let done = 0;
  let rows = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length && options.signal?.aborted !== true) {
      const task = tasks[next];
      next += 1;
      if (task === undefined) continue;
      const label = `${task.table} ${new Date(task.window.startMs).toISOString().slice(0, 16)}Z`;
      const started = Date.now();
      const s = summary.get(task.table);
      if (s !== undefined) s.windows += 1;
      let windowRows = 0;
      const outcome = await exporter
        .exportWindow({ ...task, runId: options.runId, reason: options.reason, force: options.force, allowShrink: options.allowShrink }, logger, {
          onProgress: (event) => {
            if (event.kind === "part") {
              rows += event.rowsRead - windowRows;
              windowRows = event.rowsRead;
            }
            bar.update(done + failed.length, `rows ${rows} · ${label}`);
          },
        })
        .catch((error: unknown) => {
          failed.push({ ...task, error: errorMessage(error) });
          return undefined;
        });
      if (outcome === undefined) {
        if (s !== undefined) s.failed += 1;
        bar.update(done + failed.length, `rows ${rows} · ${label} failed`, true);
        continue;
      }
      done += 1;
      if (s !== undefined) {
        if (outcome.status === "skipped") s.skipped += 1;
        s.expected += outcome.manifest.expectedRows;
        s.exported += outcome.manifest.exportedRows;
        s.files += outcome.manifest.objects.length;
        s.bytes += outcome.manifest.bytes;
        s.ms += Date.now() - started;
      }
      bar.update(done + failed.length, `rows ${rows} · ${label} ${outcome.status}`, true);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, tasks.length)) }, lane));
  } finally {
    bar.finish();
  }
  return { summary, done, failed, total: tasks.length, aborted: options.signal?.aborted === true };
}

export function summaryTable(summary: ReadonlyMap<string, TableSummary>): string {
  return renderTable([
    ["table", "windows", "skipped", "failed", "rows expected", "rows exported", "files", "bytes", "seconds"],
    ...[...summary.entries()].map(([table, s]) => [
      table,
      s.windows,
      s.skipped,
      s.failed,
      s.expected,
      s.exported,
      s.files,
      formatBytes(s.bytes),
      Number((s.ms / 1000).toFixed(1)),
    ]),
  ]);
}

/** The failed windows with their errors (printed after the summary), and how the run ended; returns the exit code. */
export function reportEnd(result: RunResult, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): number {
  if (result.failed.length > 0) {
    stdout.write(`\nfailed windows:\n${result.failed.map((f) => `  ${f.table} ${describeRange(f.window)}: ${f.error}\n`).join("")}`);
  }
  if (result.aborted) {
    stderr.write(`interrupted: ${result.done} of ${result.total} windows done; run the same command again to continue\n`);
    return 130;
  }
  if (result.failed.length > 0) {
    stderr.write(`${result.failed.length} of ${result.total} windows failed; run the same command again to retry them (complete windows are skipped)\n`);
    return 1;
  }
  return 0;
}
