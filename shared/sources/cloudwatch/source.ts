import { type CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { SourceQueryError } from "../../core/errors.js";
import type { HistogramBin, LogSource, PartStream, QueryOptions } from "../../core/ports.js";
import type { Column, LogRecord } from "../../core/records.js";
import { binWidthLiteral, describeRange, type TimeRange } from "../../core/time.js";
import { awsQueryError } from "./errors.js";
import { histogramInsights, lineMatcher, partInsights, type LineFilter } from "./insights.js";
import { runInsightsQuery, type PollOptions } from "./run-query.js";

export interface CloudWatchSourceOptions {
  readonly client: CloudWatchLogsClient;
  readonly logGroupNames: readonly string[];
  /** Only this stream (validated by the settings: no quotes). */
  readonly logStreamName?: string;
  readonly filter: LineFilter;
  /** Rows one Insights query may return (the service's limit: 10,000). */
  readonly queryRowLimit: number;
  readonly poll: Omit<PollOptions, "abortSignal">;
}

/** Every CloudWatch record has these three fields. */
export const CLOUDWATCH_COLUMNS: readonly Column[] = [
  { name: "timestamp", type: "epoch_ms" },
  { name: "message", type: "string" },
  { name: "logStream", type: "string" },
];

/** FilterLogEvents pages in a row that may hand back the token they were given. */
const MAX_SAME_TOKEN_PAGES = 20;

/** `2026-02-04 14:30:00.000` (UTC), as Logs Insights writes @timestamp and bins. */
export function parseInsightsTimestamp(text: string): number {
  const ms = Date.parse(`${text.replace(" ", "T")}Z`);
  if (Number.isNaN(ms)) throw new SourceQueryError(`unexpected Logs Insights timestamp ${JSON.stringify(text)}`);
  return ms;
}

/**
 * CloudWatch Logs as a LogSource: histograms and parts through Logs Insights
 * (half-open millisecond bounds in the query itself), and, for a slice too
 * dense to split, an exact read through FilterLogEvents paging.
 */
export class CloudWatchSource implements LogSource {
  readonly description: string;
  private readonly matches: (message: string) => boolean;
  private readonly spent = { bytesScanned: 0, queryIds: [] as string[], throttled: 0 };

  constructor(private readonly options: CloudWatchSourceOptions) {
    this.description = `cloudwatch-logs:${options.logGroupNames.join(",")}`;
    this.matches = lineMatcher(options.filter);
  }

  /** Bytes scanned, query ids and limit refusals waited out, of every Insights query so far (callers take the difference around an export). */
  statistics(): { readonly bytesScanned: number; readonly queryIds: readonly string[]; readonly throttled: number } {
    return { bytesScanned: this.spent.bytesScanned, queryIds: [...this.spent.queryIds], throttled: this.spent.throttled };
  }

  private async run(query: Parameters<typeof runInsightsQuery>[1], abortSignal: AbortSignal | undefined) {
    const result = await runInsightsQuery(this.options.client, query, {
      ...this.options.poll,
      abortSignal,
      onRefused: () => {
        this.spent.throttled += 1;
      },
    });
    this.spent.bytesScanned += result.bytesScanned;
    this.spent.queryIds.push(result.queryId);
    return result;
  }

  histogramQuery(_table: string, range: TimeRange, binMs: number): string {
    return histogramInsights(this.options.filter, range, binMs, this.options.logStreamName);
  }

  async histogram(table: string, range: TimeRange, binMs: number, options: QueryOptions = {}): Promise<HistogramBin[]> {
    const result = await this.run(
      { logGroupNames: this.options.logGroupNames, queryString: this.histogramQuery(table, range, binMs), range },
      options.abortSignal,
    );
    // Logs Insights names the group column after its expression.
    const binField = `bin(${binWidthLiteral(binMs)})`;
    return result.rows
      .map((row) => {
        const startMs = parseInsightsTimestamp(row[binField] ?? "");
        const count = row.rows ?? "";
        const rows = /^\d{1,15}$/.test(count) ? Number(count) : Number.NaN;
        if (!Number.isSafeInteger(rows)) throw new SourceQueryError(`histogram query ${result.queryId} returned a malformed count ${JSON.stringify(count)}`);
        if (startMs + binMs <= range.startMs || startMs >= range.endMs)
          throw new SourceQueryError(`histogram query ${result.queryId} returned a bin at ${row[binField]} outside ${describeRange(range)}`);
        return { startMs: Math.max(startMs, range.startMs), endMs: Math.min(startMs + binMs, range.endMs), rows, bytes: 0 };
      })
      .sort((a, b) => a.startMs - b.startMs);
  }

  async openPart(_table: string, range: TimeRange, options: QueryOptions = {}): Promise<PartStream> {
    const query = partInsights(this.options.filter, range, this.options.queryRowLimit, this.options.logStreamName);
    const result = await this.run(
      { logGroupNames: this.options.logGroupNames, queryString: query, range, limit: this.options.queryRowLimit },
      options.abortSignal,
    );
    if (result.recordsMatched > result.rows.length) {
      throw new SourceQueryError(
        `query ${result.queryId} for ${describeRange(range)} matched ${result.recordsMatched} rows but returned ${result.rows.length}: the part is over the service limit`,
      );
    }
    const records: LogRecord[] = result.rows.map((row) => ({
      timestamp: parseInsightsTimestamp(row["@timestamp"] ?? ""),
      message: row["@message"] ?? "",
      logStream: row["@logStream"] ?? "",
    }));
    records.sort(stableOrder);
    return { query: `${query}\n# queryId ${result.queryId}`, columns: CLOUDWATCH_COLUMNS, rows: iterate(records) };
  }

  /** Reads a slice exactly by paging FilterLogEvents (5 requests/s per account: slow, only for slices a query cannot hold). */
  async scanPart(_table: string, range: TimeRange, options: QueryOptions = {}): Promise<PartStream> {
    const records: LogRecord[] = [];
    for (const logGroupName of this.options.logGroupNames) {
      let nextToken: string | undefined;
      let repeats = 0;
      do {
        let page;
        try {
          page = await this.options.client.send(
            new FilterLogEventsCommand({
              logGroupName,
              logStreamNames: this.options.logStreamName === undefined ? undefined : [this.options.logStreamName],
              startTime: range.startMs,
              endTime: range.endMs,
              nextToken,
            }),
            { abortSignal: options.abortSignal },
          );
        } catch (error) {
          throw awsQueryError(`FilterLogEvents on ${logGroupName} ${describeRange(range)}`, error);
        }
        const events: unknown = page.events ?? [];
        if (!Array.isArray(events))
          throw new SourceQueryError(`FilterLogEvents on ${logGroupName} ${describeRange(range)} returned events that are not a list`);
        for (const [index, event] of (events as unknown[]).entries()) {
          const { timestamp, message, logStreamName, eventId } = (typeof event === "object" && event !== null ? event : {}) as {
            timestamp?: unknown;
            message?: unknown;
            logStreamName?: unknown;
            eventId?: unknown;
          };
          if (typeof timestamp !== "number" || typeof message !== "string") {
            // Ids and offsets only: an event's text can hold personal data, and this message goes to logs.
            const id = typeof eventId === "string" ? `event ${eventId}` : `event ${index} of the page`;
            throw new SourceQueryError(
              `FilterLogEvents on ${logGroupName} ${describeRange(range)} returned a malformed ${id} (timestamp: ${typeof timestamp}, message: ${typeof message})`,
            );
          }
          // The end bound's inclusiveness is not documented consistently: cut it here.
          if (timestamp >= range.startMs && timestamp < range.endMs && this.matches(message))
            records.push({ timestamp, message, logStream: typeof logStreamName === "string" ? logStreamName : "" });
        }
        // Empty pages are normal; a token handed back unchanged page after page would page forever.
        repeats = page.nextToken !== undefined && page.nextToken === nextToken ? repeats + 1 : 0;
        if (repeats >= MAX_SAME_TOKEN_PAGES)
          throw new SourceQueryError(`FilterLogEvents on ${logGroupName} ${describeRange(range)} returned the same nextToken ${repeats} times in a row`, {
            retriable: true,
          });
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
    }
    records.sort(stableOrder);
    return { query: `FilterLogEvents ${this.options.logGroupNames.join(",")} ${describeRange(range)}`, columns: CLOUDWATCH_COLUMNS, rows: iterate(records) };
  }
}

/** The service orders by time only; a total order makes a rerun write the same bytes. */
function stableOrder(a: LogRecord, b: LogRecord): number {
  return (
    Number(a.timestamp) - Number(b.timestamp) || String(a.logStream).localeCompare(String(b.logStream)) || String(a.message).localeCompare(String(b.message))
  );
}

async function* iterate(records: readonly LogRecord[]): AsyncIterable<LogRecord> {
  yield* records;
}
