/**
 * A wire-level fake of the Log Analytics query API (`POST /v1/workspaces/{id}/query`)
 * serving SyntheticTables. It understands exactly the two KQL shapes our product
 * sends (histogramKql, partKql), streams row results with backpressure, and can
 * inject throttling, server errors, partial failures and dropped connections.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./loopback-server.js";
import {
  IdentityLimiter,
  LOG_ANALYTICS_LIMITS,
  queryLatencyMs,
  realTimers,
  Throttled,
  type LatencyModel,
  type LimitTimers,
  type QueryLimits,
} from "./service-limits.js";
import { encodeRow, formatBinStart, type SyntheticRow, type SyntheticTable } from "./synthetic-table.js";

export const DEFAULT_WORKSPACE_ID = "00000000-0000-4000-8000-000000000001";

export interface QueryRecord {
  kind: "histogram" | "rows" | "unknown";
  /** "" when the query could not be parsed. */
  table: string;
  /** The KQL `where` bounds (epoch ms); NaN when the query could not be parsed. */
  startMs: number;
  endMs: number;
  binMs?: number;
  /** The request body's `timespan`, when sent. */
  timespan?: string;
  query: string;
  /** Result rows written so far (histogram: bins; rows: data rows). */
  rows: number;
  status: number;
  /** The injected fault that shaped this response, if any. */
  fault?: Fault["kind"];
  /** With limits: why the service's throttling refused it (429), or how long it waited in the concurrency queue. */
  throttled?: Throttled["reason"];
  waitedMs?: number;
  /** With limits: the result was cut at the row or size cap (200 with a partial error, as the service does). */
  truncated?: "rows" | "bytes";
}

/** `on: "any"` also matches queries the fake cannot parse; `times` defaults to 1; `skip` lets that many matching requests through first. */
export type Fault = { on: "histogram" | "rows" | "any"; times?: number; skip?: number } & (
  | { kind: "status"; status: 429 | 500 | 503; retryAfterSeconds?: number }
  /** 200 with tables AND an "error" object (the SDK reports `status: "PartialFailure"`). */
  | { kind: "partialFailure" }
  /** Start a 200 streaming response, then destroy the socket after N result rows. */
  | { kind: "resetMidBody"; afterRows: number }
  /** Start a 200 streaming response, send N result rows, then send nothing more and keep the connection open. */
  | { kind: "stallMidBody"; afterRows: number }
);

export interface FakeLogAnalytics {
  /** `http://127.0.0.1:<port>`; the SDK endpoint is `${url}/v1`. */
  readonly url: string;
  readonly workspaceId: string;
  addTable(table: SyntheticTable): void;
  table(name: string): SyntheticTable;
  /** Every query served, in arrival order (faulted ones included). */
  readonly queries: readonly QueryRecord[];
  /** Queue a fault; queued faults are consumed in order by matching requests. */
  inject(fault: Fault): void;
  /** With limits: the throttling state of one identity (its authorization header), once it has sent a query. */
  throttling(authorization: string): IdentityLimiter | undefined;
  close(): Promise<void>;
}

export interface FakeLogAnalyticsOptions {
  workspaceId?: string;
  tables?: SyntheticTable[];
  /** Opt-in: the service's throttling per identity (the authorization header), result caps and latency (docs/capacity.md). */
  limits?: FakeLimitsOptions;
}

export interface FakeLimitsOptions {
  /** Default LOG_ANALYTICS_LIMITS (5 running, 200 queued for up to 3 min, 200 per 30 s, 500,000 rows / 64 MiB). */
  queries?: Partial<QueryLimits>;
  /** How long each query holds its concurrency slot; default none (answers at once). */
  latency?: LatencyModel;
  /** Default real timers; tests pass ManualTimers to move time by hand. */
  timers?: LimitTimers;
}

type ParsedQuery =
  | { kind: "histogram"; table: string; startMs: number; endMs: number; binMs: number }
  | { kind: "rows"; table: string; startMs: number; endMs: number };

const CHUNK_CHARS = 64 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_TYPE = "application/json; charset=utf-8";

// The exact text of kql.ts, tolerant only of whitespace.
const WHERE = String.raw`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\|\s*where\s+TimeGenerated\s*>=\s*datetime\(([^)]*)\)\s+and\s+TimeGenerated\s*<\s*datetime\(([^)]*)\)\s*\|\s*`;
const HISTOGRAM_KQL = new RegExp(
  `${WHERE}summarize\\s+rows\\s*=\\s*count\\(\\)\\s*,\\s*bytes\\s*=\\s*sum\\(estimate_data_size\\(\\*\\)\\)\\s+by\\s+bin\\(TimeGenerated\\s*,\\s*(\\d+)(ms|s|m|h|d)\\)\\s*$`,
);
const ROWS_KQL = new RegExp(`${WHERE}sort\\s+by\\s+TimeGenerated\\s+asc\\s*,\\s*_ItemId\\s+asc\\s*$`);
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

class QuerySyntaxError extends Error {}

function parseInstant(text: string): number {
  const ms = ISO_MS.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new QuerySyntaxError(`datetime(${text}) is not an ISO instant with at most ms precision and Z`);
  return ms;
}

export function parseQuery(query: string): ParsedQuery {
  const h = HISTOGRAM_KQL.exec(query);
  if (h) {
    const [, table = "", start = "", end = "", amount = "", unit = ""] = h;
    const binMs = Number(amount) * (UNIT_MS[unit] ?? Number.NaN);
    if (!Number.isSafeInteger(binMs) || binMs <= 0) throw new QuerySyntaxError(`bad bin width ${amount}${unit}`);
    return { kind: "histogram", table, startMs: parseInstant(start), endMs: parseInstant(end), binMs };
  }
  const r = ROWS_KQL.exec(query);
  if (r) {
    const [, table = "", start = "", end = ""] = r;
    return { kind: "rows", table, startMs: parseInstant(start), endMs: parseInstant(end) };
  }
  throw new QuerySyntaxError("the fake only understands the histogram and part queries of kql.ts");
}

/** The request `timespan` "START/END" as ms; other forms (durations) are ignored by the fake. */
function parseTimespan(timespan: string | undefined): { startMs: number; endMs: number } | undefined {
  const parts = timespan?.split("/");
  if (parts?.length !== 2) return undefined;
  const startMs = Date.parse(parts[0] ?? "");
  const endMs = Date.parse(parts[1] ?? "");
  return Number.isFinite(startMs) && Number.isFinite(endMs) ? { startMs, endMs } : undefined;
}

function errorBody(code: string, message: string, inner?: { code: string; message: string }): string {
  return JSON.stringify({ error: { code, message, ...(inner ? { innererror: inner } : {}) } });
}

const STATUS_ERRORS: Readonly<Record<number, [string, string]>> = {
  429: ["ThrottledError", "Your request was throttled: too many concurrent queries. Retry later."],
  500: ["InternalServerError", "An unexpected error occurred while processing the query."],
  503: ["ServiceUnavailableError", "The service is temporarily unavailable. Retry later."],
};

/** The partial error of a result cut at the row cap (the size cap's text is PARTIAL_ERROR's). */
function rowCapError(maxRows: number) {
  return {
    code: "PartialError",
    message: "There were some errors when processing your query.",
    details: [
      {
        code: "EngineError",
        message: "Something went wrong processing your query on the server.",
        innererror: {
          code: "-2133196797",
          message: `Query result set has exceeded the internal record count limit ${maxRows} (E_QUERY_RESULT_SET_TOO_LARGE)`,
          severity: 2,
          severityName: "Error",
        },
      },
    ],
  };
}

const PARTIAL_ERROR = {
  code: "PartialError",
  message: "There were some errors when processing your query.",
  details: [
    {
      code: "EngineError",
      message: "Something went wrong processing your query on the server.",
      innererror: {
        code: "-2133196797",
        message: "Query result set has exceeded the internal data size limit 67108864 (E_QUERY_RESULT_SET_TOO_LARGE)",
        severity: 2,
        severityName: "Error",
      },
    },
  ],
};

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new QuerySyntaxError("request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Writes text chunks, waiting for 'drain' when the socket is full; false once the client is gone. */
class ChunkWriter {
  private pending = "";
  constructor(private readonly res: ServerResponse) {}

  /** Buffers text; true when a chunk is full and flush() is due (kept synchronous: one await per row is costly). */
  push(text: string): boolean {
    this.pending += text;
    return this.pending.length >= CHUNK_CHARS;
  }

  async flush(): Promise<boolean> {
    if (this.res.destroyed) return false;
    const chunk = this.pending;
    this.pending = "";
    if (chunk === "" || this.res.write(chunk)) return !this.res.destroyed;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.res.off("drain", done);
        this.res.off("close", done);
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
    return !this.res.destroyed;
  }

  /** Flushes, then waits until the bytes are handed to the socket (so a following destroy does not eat them). */
  async flushed(): Promise<void> {
    if (this.res.destroyed) return;
    const chunk = this.pending;
    this.pending = "";
    await new Promise<void>((resolve) => {
      this.res.write(chunk, () => resolve());
    });
  }
}

export async function startFakeLogAnalytics(options: FakeLogAnalyticsOptions = {}): Promise<FakeLogAnalytics> {
  const workspaceId = options.workspaceId ?? DEFAULT_WORKSPACE_ID;
  const tables = new Map<string, SyntheticTable>();
  const queries: QueryRecord[] = [];
  const faults: Array<Fault & { left: number; toSkip: number }> = [];
  for (const t of options.tables ?? []) tables.set(t.name, t);
  const limits = options.limits === undefined ? undefined : { ...LOG_ANALYTICS_LIMITS, ...options.limits.queries };
  const timers = options.limits?.timers ?? realTimers;
  const limiters = new Map<string, IdentityLimiter>();
  const limiterFor = (identity: string): IdentityLimiter | undefined => {
    if (limits === undefined) return undefined;
    let limiter = limiters.get(identity);
    if (limiter === undefined) {
      limiter = new IdentityLimiter(limits, timers);
      limiters.set(identity, limiter);
    }
    return limiter;
  };

  function takeFault(kind: QueryRecord["kind"]): Fault | undefined {
    const index = faults.findIndex((f) => f.on === "any" || f.on === kind);
    const fault = faults[index];
    if (fault === undefined) return undefined;
    if (fault.toSkip > 0) {
      fault.toSkip -= 1;
      return undefined;
    }
    fault.left -= 1;
    if (fault.left <= 0) faults.splice(index, 1);
    return fault;
  }

  async function serveQuery(req: IncomingMessage, res: ServerResponse, identity: string): Promise<void> {
    let body: { query?: unknown; timespan?: unknown };
    try {
      const parsed: unknown = JSON.parse(await readBody(req));
      if (typeof parsed !== "object" || parsed === null) throw new QuerySyntaxError("body is not a JSON object");
      body = parsed as { query?: unknown; timespan?: unknown };
    } catch (error) {
      return send(res, 400, errorBody("BadArgumentError", "The request had some invalid properties", { code: "InvalidBody", message: String(error) }));
    }
    if (typeof body.query !== "string") {
      return send(res, 400, errorBody("BadArgumentError", "The request had some invalid properties", { code: "MissingQuery", message: "'query' is required" }));
    }
    const query = body.query;
    const timespan = typeof body.timespan === "string" ? body.timespan : undefined;

    let parsed: ParsedQuery | undefined;
    let syntaxError = "";
    try {
      parsed = parseQuery(query);
    } catch (error) {
      if (!(error instanceof QuerySyntaxError)) throw error;
      syntaxError = error.message;
    }
    const record: QueryRecord = {
      kind: parsed?.kind ?? "unknown",
      table: parsed?.table ?? "",
      startMs: parsed?.startMs ?? Number.NaN,
      endMs: parsed?.endMs ?? Number.NaN,
      ...(parsed?.kind === "histogram" ? { binMs: parsed.binMs } : {}),
      ...(timespan !== undefined ? { timespan } : {}),
      query,
      rows: 0,
      status: 0,
    };
    queries.push(record);

    // Throttling and server errors come before the query is even analysed, as in the real service.
    const fault = takeFault(record.kind);
    if (fault) record.fault = fault.kind;
    if (fault?.kind === "status") {
      record.status = fault.status;
      const [code, message] = STATUS_ERRORS[fault.status] ?? ["Error", "error"];
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      return send(res, fault.status, errorBody(code, message), headers);
    }
    if (parsed === undefined) {
      record.status = 400;
      return send(res, 400, errorBody("BadArgumentError", "The request had some invalid properties", { code: "SyntaxError", message: syntaxError }));
    }
    const table = tables.get(parsed.table);
    if (table === undefined) {
      record.status = 400;
      return send(
        res,
        400,
        errorBody("BadArgumentError", "The request had some invalid properties", { code: "SemanticError", message: `'${parsed.table}' could not be resolved` }),
      );
    }

    // The service applies the request timespan on top of the query's own filter.
    const span = parseTimespan(timespan);
    const startMs = Math.max(parsed.startMs, span?.startMs ?? -Infinity);
    const endMs = Math.max(startMs, Math.min(parsed.endMs, span?.endMs ?? Infinity));

    const limiter = limiterFor(identity);
    if (limiter !== undefined) {
      const admitted = await admit(limiter, record, res);
      if (admitted === undefined) return;
      res.on("close", admitted.release);
      const latency = options.limits?.latency;
      if (latency !== undefined) {
        const scanned = rowsIn(table, startMs, endMs) * table.bytesPerRow;
        const returned = parsed.kind === "histogram" ? 0 : scanned;
        await new Promise<void>((resolve) => timers.after(queryLatencyMs(latency, scanned, returned), resolve));
      }
    }

    record.status = 200;
    res.writeHead(200, { "content-type": JSON_TYPE });
    const writer = new ChunkWriter(res);
    const resetAfter = fault?.kind === "resetMidBody" || fault?.kind === "stallMidBody" ? fault.afterRows : Infinity;
    const columns = parsed.kind === "histogram" ? HISTOGRAM_COLUMNS : table.columns.map((c) => ({ name: c.name, type: c.type }));
    writer.push(`{"tables":[{"name":"PrimaryResult","columns":${JSON.stringify(columns)},"rows":[`);

    const rows: Iterable<string> = parsed.kind === "histogram" ? histogramRows(table, startMs, endMs, parsed.binMs) : mapRows(table.rows(startMs, endMs));
    let resultBytes = 0;
    for (const row of rows) {
      if (record.rows >= resetAfter) break;
      if (limits !== undefined && record.rows >= limits.maxResultRows) record.truncated = "rows";
      else if (limits !== undefined && resultBytes + row.length + 1 > limits.maxResultBytes) record.truncated = "bytes";
      if (record.truncated !== undefined) break;
      resultBytes += row.length + 1;
      const full = writer.push(record.rows === 0 ? row : `,${row}`);
      record.rows += 1;
      if (full && !(await writer.flush())) return; // the client went away
    }
    if (record.rows >= resetAfter) {
      await writer.flushed();
      if (fault?.kind === "resetMidBody") res.socket?.destroy();
      return;
    }
    const partial =
      record.truncated === "rows" && limits !== undefined
        ? rowCapError(limits.maxResultRows)
        : fault?.kind === "partialFailure" || record.truncated === "bytes"
          ? PARTIAL_ERROR
          : undefined;
    writer.push(partial === undefined ? "]}]}" : `]}],"error":${JSON.stringify(partial)}}`);
    if (await writer.flush()) res.end();
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const match = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(path);
    if (req.method !== "POST" || !match) {
      return send(res, 404, errorBody("PathNotFoundError", `The requested path does not exist: ${req.method ?? ""} ${path}`));
    }
    if (decodeURIComponent(match[1] ?? "") !== workspaceId) {
      return send(res, 404, errorBody("WorkspaceNotFoundError", `The workspace ${match[1] ?? ""} could not be found`));
    }
    if (!req.headers.authorization) {
      return send(res, 401, errorBody("AuthorizationRequiredError", "Valid authentication was not provided"));
    }
    serveQuery(req, res, req.headers.authorization ?? "").catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else send(res, 500, errorBody("InternalServerError", `fake server bug: ${String(error)}`));
    });
  });
  const listening = await listenOnLoopback(server);

  return {
    url: listening.url,
    workspaceId,
    queries,
    addTable(table) {
      tables.set(table.name, table);
    },
    table(name) {
      const t = tables.get(name);
      if (t === undefined) throw new Error(`fake Log Analytics has no table ${name}`);
      return t;
    },
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? 1, toSkip: fault.skip ?? 0 });
    },
    throttling: (authorization) => limiters.get(authorization),
    close: listening.close,
  };
}

/** Waits for the identity's turn; on a refusal answers 429 with Retry-After and returns undefined. */
async function admit(limiter: IdentityLimiter, record: QueryRecord, res: ServerResponse) {
  try {
    const admitted = await limiter.admit();
    record.waitedMs = admitted.waitedMs;
    return admitted;
  } catch (error) {
    if (!(error instanceof Throttled)) throw error;
    record.status = 429;
    record.throttled = error.reason;
    send(
      res,
      429,
      errorBody(
        "ThrottledError",
        `Your request was throttled (${error.reason === "rate" ? "more than the allowed queries per 30 seconds" : "too many concurrent queries"}). Retry later.`,
      ),
      {
        "retry-after": String(error.retryAfterSeconds),
      },
    );
    return undefined;
  }
}

function rowsIn(table: SyntheticTable, startMs: number, endMs: number): number {
  let rows = 0;
  for (const bin of table.histogram(startMs, endMs, Math.max(1, endMs - startMs))) rows += bin.rows;
  return rows;
}

const HISTOGRAM_COLUMNS = [
  { name: "TimeGenerated", type: "datetime" },
  { name: "rows", type: "long" },
  { name: "bytes", type: "long" },
];

function* histogramRows(table: SyntheticTable, startMs: number, endMs: number, binMs: number): Generator<string, void, undefined> {
  for (const bin of table.histogram(startMs, endMs, binMs)) {
    yield `[${JSON.stringify(formatBinStart(bin.binStartMs))},${bin.rows},${bin.rows * table.bytesPerRow}]`;
  }
}

function* mapRows(rows: Iterable<SyntheticRow>): Generator<string, void, undefined> {
  for (const row of rows) yield encodeRow(row);
}
