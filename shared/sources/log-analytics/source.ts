import type { TokenCredential } from "@azure/core-auth";
import { LogExportError, SourceQueryError } from "../../core/errors.js";
import type { HistogramBin, LogSource, PartStream, QueryOptions } from "../../core/ports.js";
import type { Column, LogRecord } from "../../core/records.js";
import { describeRange, isoInstant, type TimeRange } from "../../core/time.js";
import { createLogsClients, type LogsClients } from "./clients.js";
import { describeServiceError, queryError, retryAfterMs } from "./errors.js";
import { histogramKql, partKql } from "./kql.js";
import { ResultStreamReader, type ResultEvent } from "./result-stream.js";
import { recordBuilder } from "./values.js";

export interface LogAnalyticsSourceOptions {
  readonly endpoint: string;
  readonly workspaceId: string;
  /** Undefined only for a loopback http endpoint (the local fake). */
  readonly credential: TokenCredential | undefined;
  readonly queryTimeoutSeconds: number;
  /** A response body that sends nothing for this long is abandoned (and the part retried). */
  readonly readIdleSeconds: number;
}

function timespan(range: TimeRange): string {
  return `${isoInstant(range.startMs)}/${isoInstant(range.endMs)}`;
}

function destroy(body: NodeJS.ReadableStream, error?: Error): void {
  if ("destroy" in body && typeof body.destroy === "function") body.destroy(error);
}

async function* resultEvents(body: NodeJS.ReadableStream, idleMs: number, what: string): AsyncGenerator<ResultEvent> {
  const reader = new ResultStreamReader();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => destroy(body, new SourceQueryError(`${what}: the response sent nothing for ${idleMs / 1000} s`, { retriable: true })), idleMs);
  };
  body.setEncoding("utf8");
  arm();
  try {
    for await (const chunk of body) {
      arm();
      yield* reader.push(typeof chunk === "string" ? chunk : chunk.toString("utf8"));
    }
  } finally {
    clearTimeout(timer);
  }
  reader.end();
}

export class LogAnalyticsSource implements LogSource {
  readonly description: string;
  private readonly clients: LogsClients;

  constructor(private readonly options: LogAnalyticsSourceOptions) {
    this.description = `log-analytics:${options.workspaceId}`;
    this.clients = createLogsClients(options.endpoint, options.credential);
  }

  histogramQuery(table: string, range: TimeRange, binMs: number): string {
    return histogramKql(table, range, binMs);
  }

  async histogram(table: string, range: TimeRange, binMs: number, options: QueryOptions = {}): Promise<HistogramBin[]> {
    const what = `histogram of ${table} ${describeRange(range)}`;
    const query = histogramKql(table, range, binMs);
    let result;
    try {
      result = await this.clients.query.queryWorkspace(
        this.options.workspaceId,
        query,
        { startTime: new Date(range.startMs), endTime: new Date(range.endMs) },
        {
          serverTimeoutInSeconds: this.options.queryTimeoutSeconds,
          abortSignal: options.abortSignal,
        },
      );
    } catch (error) {
      throw queryError(what, error);
    }
    if (result.status !== "Success") {
      throw new SourceQueryError(`${what} returned ${result.status}: ${describeServiceError(result.partialError)}`, { retriable: true });
    }
    const table0 = result.tables[0];
    if (table0 === undefined) throw new SourceQueryError(`${what} returned no table`);
    return table0.rows.map((row) => {
      const [time, rows, bytes] = row;
      const startMs = time instanceof Date ? time.getTime() : Date.parse(String(time));
      // A bin outside the range or a count that is not one would plan parts beyond the window or expect rows that cannot come.
      const inRange = startMs + binMs > range.startMs && startMs < range.endMs;
      if (!inRange || typeof rows !== "number" || !Number.isSafeInteger(rows) || rows < 0) throw new SourceQueryError(`${what} returned a malformed row`);
      return {
        startMs: Math.max(startMs, range.startMs),
        endMs: Math.min(startMs + binMs, range.endMs),
        rows,
        bytes: typeof bytes === "number" ? bytes : 0,
      };
    });
  }

  async openPart(table: string, range: TimeRange, options: QueryOptions = {}): Promise<PartStream> {
    const what = `rows of ${table} ${describeRange(range)}`;
    const query = partKql(table, range);
    let body: NodeJS.ReadableStream;
    try {
      const response = await this.clients.rest
        .path("/workspaces/{workspaceId}/query", this.options.workspaceId)
        .post({ body: { query, timespan: timespan(range) }, headers: { prefer: `wait=${this.options.queryTimeoutSeconds}` }, abortSignal: options.abortSignal })
        .asNodeStream();
      if (response.body === undefined) throw new SourceQueryError(`${what}: the response has no body`, { retriable: true });
      body = response.body;
      if (response.status !== "200") {
        const text = await readSmall(body);
        const status = Number(response.status);
        const after = retryAfterMs(response.headers["retry-after"]);
        throw new SourceQueryError(`${what} failed (HTTP ${response.status}): ${errorText(text)}`, {
          retriable: status === 408 || status === 429 || status >= 500,
          ...(after === undefined ? {} : { retryAfterMs: after }),
        });
      }
    } catch (error) {
      throw queryError(what, error);
    }
    const events = resultEvents(body, this.options.readIdleSeconds * 1000, what);
    const columns = await firstColumns(events, what);
    return { query, columns, rows: rows(events, columns, what, body) };
  }
}

async function firstColumns(events: AsyncGenerator<ResultEvent>, what: string): Promise<readonly Column[]> {
  try {
    for (;;) {
      const next = await events.next();
      if (next.done) throw new SourceQueryError(`${what}: the response holds no table`, { retriable: true });
      if (next.value.kind === "columns") return next.value.columns;
      if (next.value.kind === "error") throw new SourceQueryError(`${what} failed: ${describeServiceError(next.value.error)}`, { retriable: true });
    }
  } catch (error) {
    throw readError(what, error);
  }
}

async function* rows(events: AsyncGenerator<ResultEvent>, columns: readonly Column[], what: string, body: NodeJS.ReadableStream): AsyncGenerator<LogRecord> {
  const build = recordBuilder(columns);
  try {
    for (;;) {
      let next: IteratorResult<ResultEvent>;
      try {
        next = await events.next();
      } catch (error) {
        throw readError(what, error);
      }
      if (next.done) return;
      const event = next.value;
      if (event.kind === "row") yield build(event.values);
      else if (event.kind === "error") throw new SourceQueryError(`${what} returned PartialFailure: ${describeServiceError(event.error)}`, { retriable: true });
    }
  } finally {
    destroy(body);
  }
}

/** A body that breaks off or does not parse, before or after its columns, is a transport failure: asking again is the fix. */
function readError(what: string, error: unknown): LogExportError {
  if (error instanceof LogExportError) return error;
  return new SourceQueryError(`${what} (reading the response) failed: ${error instanceof Error ? error.message : String(error)}`, {
    retriable: true,
    cause: error,
  });
}

async function readSmall(body: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of body) {
    text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    if (text.length > 65_536) break;
  }
  return text;
}

function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return describeServiceError(parsed.error ?? parsed);
  } catch {
    return text.slice(0, 500);
  }
}
