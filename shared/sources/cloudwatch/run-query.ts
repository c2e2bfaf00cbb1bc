import { type CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand, StopQueryCommand } from "@aws-sdk/client-cloudwatch-logs";
import { SourceQueryError } from "../../core/errors.js";
import type { TimeRange } from "../../core/time.js";
import { sleep } from "../../core/sleep.js";
import { awsQueryError, isLimitRefusal } from "./errors.js";

export interface InsightsQuery {
  readonly logGroupNames: readonly string[];
  readonly queryString: string;
  readonly range: TimeRange;
  readonly limit?: number;
}

export interface PollOptions {
  readonly timeoutMs: number;
  readonly initialPollMs: number;
  readonly maxPollMs: number;
  readonly abortSignal?: AbortSignal;
  /** Called for each StartQuery or GetQueryResults the service refused for its limits (after the SDK's own retries) and this query waits out. */
  readonly onRefused?: (error: unknown) => void;
}

export interface InsightsResult {
  readonly queryId: string;
  readonly rows: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly recordsMatched: number;
  readonly bytesScanned: number;
}

/** The statuses worth polling again; anything else the service says is an error, not a reason to wait. */
const PENDING = new Set(["Scheduled", "Running"]);

/** GetQueryResults rows as field → value; a value that is not a string is a malformed answer, never coerced. */
function resultRows(queryId: string, results: unknown): Array<Record<string, string>> {
  if (results === undefined || results === null) return [];
  if (!Array.isArray(results)) throw new SourceQueryError(`Logs Insights query ${queryId} returned results that are not a list`);
  return results.map((row: unknown) => {
    if (!Array.isArray(row)) throw new SourceQueryError(`Logs Insights query ${queryId} returned a row that is not a list of fields`);
    const fields: Record<string, string> = {};
    for (const cell of row as unknown[]) {
      const { field, value } = (typeof cell === "object" && cell !== null ? cell : {}) as { field?: unknown; value?: unknown };
      if (typeof field !== "string" || (value !== undefined && typeof value !== "string"))
        throw new SourceQueryError(`Logs Insights query ${queryId} returned a malformed field ${JSON.stringify(cell)}`);
      if (field !== "@ptr") fields[field] = value ?? "";
    }
    return fields;
  });
}

/** Waits between polls, cut short by an abort (the caller then stops the query at once, not after up to maxPollMs). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return sleep(ms);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Doubling from `initialPollMs` up to `maxPollMs`, half fixed and half random, so queries refused together do not come back together. */
function refusalWaitMs(options: PollOptions, refusals: number): number {
  const step = Math.min(options.initialPollMs * 2 ** refusals, options.maxPollMs);
  return Math.round(step / 2 + Math.random() * (step / 2));
}

/**
 * Sends `request` again while the service refuses it for its limits (concurrent queries, request rate), until
 * the deadline: a refused StartQuery started nothing and a refused poll changed nothing, so waiting is safe,
 * and the part's own retries are left for real failures.
 */
async function untilAdmitted<T>(request: () => Promise<T>, deadlineMs: number, options: PollOptions): Promise<T> {
  for (let refusals = 0; ; refusals += 1) {
    try {
      return await request();
    } catch (error) {
      const waitMs = refusalWaitMs(options, refusals);
      if (!isLimitRefusal(error) || Date.now() + waitMs > deadlineMs || options.abortSignal?.aborted === true) throw error;
      options.onRefused?.(error);
      await pause(waitMs, options.abortSignal);
      options.abortSignal?.throwIfAborted();
    }
  }
}

/**
 * Starts a Logs Insights query and polls it with backoff until it completes.
 * StartQuery's bounds are whole seconds and its end is applied at that
 * second's first millisecond, so the range is widened to whole seconds here
 * and cut exactly by the query's own `@timestamp` filter. A query given up on
 * (timeout, abort, a failed poll) is stopped, so it does not hold one of the
 * account's concurrent query slots; one that ended on its own is not.
 */
export async function runInsightsQuery(client: CloudWatchLogsClient, query: InsightsQuery, options: PollOptions): Promise<InsightsResult> {
  let queryId: string | undefined;
  let running = false;
  try {
    const admitDeadline = Date.now() + options.timeoutMs;
    const start = {
      logGroupNames: [...query.logGroupNames],
      queryString: query.queryString,
      startTime: Math.floor(query.range.startMs / 1000),
      endTime: Math.ceil(query.range.endMs / 1000),
      limit: query.limit,
    };
    const started = await untilAdmitted(() => client.send(new StartQueryCommand(start), { abortSignal: options.abortSignal }), admitDeadline, options);
    queryId = started.queryId;
    if (queryId === undefined) throw new SourceQueryError("StartQuery returned no query id", { retriable: true });
    running = true;
    const deadline = Date.now() + options.timeoutMs;
    for (let wait = options.initialPollMs; ; wait = Math.min(wait * 2, options.maxPollMs)) {
      const result = await untilAdmitted(() => client.send(new GetQueryResultsCommand({ queryId }), { abortSignal: options.abortSignal }), deadline, options);
      const status: string = typeof result.status === "string" ? result.status : "Unknown";
      if (status === "Complete") {
        running = false;
        const rows = resultRows(queryId, result.results);
        const matched = result.statistics?.recordsMatched;
        return {
          queryId,
          rows,
          recordsMatched: typeof matched === "number" && Number.isFinite(matched) ? matched : rows.length,
          bytesScanned: Number(result.statistics?.bytesScanned) || 0,
        };
      }
      if (!PENDING.has(status)) {
        // A query in an unknown state may still be running: that one is stopped too.
        running = status === "Unknown";
        throw new SourceQueryError(`Logs Insights query ${queryId} ended ${status}`, { retriable: status !== "Failed" });
      }
      if (Date.now() + wait > deadline)
        throw new SourceQueryError(`Logs Insights query ${queryId} did not finish within ${options.timeoutMs / 1000} s`, { retriable: true });
      await pause(wait, options.abortSignal);
      options.abortSignal?.throwIfAborted();
    }
  } catch (error) {
    if (queryId !== undefined && running) await client.send(new StopQueryCommand({ queryId })).catch(() => undefined);
    const what = `Logs Insights query${queryId === undefined ? "" : ` ${queryId}`}`;
    // Aborted while polling or while a request was in flight: one message either way.
    if (options.abortSignal?.aborted === true) throw new SourceQueryError(`${what} was aborted`, { cause: error });
    throw awsQueryError(what, error);
  }
}
