import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand, StopQueryCommand } from "@aws-sdk/client-cloudwatch-logs";
import { SourceQueryError } from "../../core/errors.js";
import type { TimeRange } from "../../core/time.js";
import { sleep } from "../../core/sleep.js";
import { awsQueryError } from "./errors.js";

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
}

export interface InsightsResult {
  readonly queryId: string;
  readonly rows: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly recordsMatched: number;
  readonly bytesScanned: number;
}

/**
 * Starts a Logs Insights query and polls it with backoff until it completes.
 * StartQuery's bounds are whole seconds and its end is applied at that
 * second's first millisecond, so the range is widened to whole seconds here
 * and cut exactly by the query's own `@timestamp` filter.
 */
export async function runInsightsQuery(client: CloudWatchLogsClient, query: InsightsQuery, options: PollOptions): Promise<InsightsResult> {
  let queryId: string | undefined;
  try {
    const started = await client.send(
      new StartQueryCommand({
        logGroupNames: [...query.logGroupNames],
        queryString: query.queryString,
        startTime: Math.floor(query.range.startMs / 1000),
        endTime: Math.ceil(query.range.endMs / 1000),
        limit: query.limit,
      }),
      { abortSignal: options.abortSignal },
    );
    queryId = started.queryId;
    if (queryId === undefined) throw new SourceQueryError("StartQuery returned no query id", { retriable: true });
    const deadline = Date.now() + options.timeoutMs;
    for (let wait = options.initialPollMs; ; wait = Math.min(wait * 2, options.maxPollMs)) {
      const result = await client.send(new GetQueryResultsCommand({ queryId }), { abortSignal: options.abortSignal });
      const status = result.status ?? "Unknown";
      if (status === "Complete") {
        const rows = (result.results ?? []).map((row) => Object.fromEntries(row.filter((f) => f.field !== undefined && f.field !== "@ptr").map((f) => [f.field as string, f.value ?? ""])));
        return { queryId, rows, recordsMatched: result.statistics?.recordsMatched ?? rows.length, bytesScanned: result.statistics?.bytesScanned ?? 0 };
      }
      if (status === "Failed" || status === "Cancelled" || status === "Timeout" || status === "Unknown") {
        throw new SourceQueryError(`Logs Insights query ${queryId} ended ${status}`, { retriable: status !== "Failed" });
      }
      if (options.abortSignal?.aborted === true) throw new SourceQueryError(`Logs Insights query ${queryId} was aborted`);
      if (Date.now() + wait > deadline) throw new SourceQueryError(`Logs Insights query ${queryId} did not finish within ${options.timeoutMs / 1000} s`, { retriable: true });
      await sleep(wait);
    }
  } catch (error) {
    if (queryId !== undefined) await client.send(new StopQueryCommand({ queryId })).catch(() => undefined);
    throw awsQueryError(`Logs Insights query${queryId === undefined ? "" : ` ${queryId}`}`, error);
  }
}
