/**
 * A wire-level fake of the CloudWatch Logs API (AWS JSON 1.1: `POST /`,
 * `x-amz-target: Logs_20140328.<Op>`) serving procedurally generated log
 * groups (see pulp-log-stream.ts). Operations: StartQuery, GetQueryResults,
 * StopQuery, FilterLogEvents. It enforces the Logs Insights result cap (10,000
 * rows by default; recordsMatched keeps the true count), reports "Running"
 * before "Complete", records every call, and injects throttling, 5xx, service
 * errors, dropped connections, failed queries and empty FilterLogEvents pages.
 *
 * Logs Insights subset understood (anything else is a MalformedQueryException
 * naming the unsupported part, so a product query the fake cannot answer
 * faithfully fails loudly instead of being half-understood):
 *   fields @timestamp, @message, @logStream, @log, @ingestionTime
 *   filter <cond> [and <cond>]...   where <cond> is
 *       @timestamp (>=|>|<|<=|=) <epoch ms>
 *       @message|@logStream [not] like /regex/[(?i) prefix] | "substring"
 *       @message|@logStream (=|!=) "string",  @message =~ /regex/
 *   stats count(*)|count() [as name] [by bin(<n><unit>) [as name]]
 *       units: ms msec millisecond(s), s sec second(s), m min minute(s), h hr hour(s), d day(s)
 *   sort @timestamp asc|desc   (after stats: sort <bin field> asc|desc)
 *   limit <n>                  (last command)
 * Comments (`# …`) are ignored.
 *
 * Sources: docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Stats.html (bin units),
 * …/CWL_QuerySyntax-Limit.html (10,000 rows without limit), …/CWL_QuerySyntax-Sort.html,
 * AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html and API_GetQueryResults.html (limit up to
 * 100,000 read in pages of ≤ 10,000 with nextToken/maxItems; @ptr in every row), API_FilterLogEvents.html
 * (≤ 10,000 events and 1 MB a page; pages may be empty with a nextToken). Result field names ("bin(1m)",
 * "count(*)", alias when given) and the value format "2026-02-04 14:30:00.000" follow what clients of the
 * service parse; the order of unsorted results is unspecified by the service (the fake serves newest first).
 *
 * Time semantics (documented choices, each switchable):
 * - StartQuery startTime/endTime are epoch seconds, "inclusive" per the API
 *   reference; the CloudWatch team says the end is applied at its first
 *   millisecond (aws/aws-sdk#280), so by default events in (endTime s, endTime s + 1)
 *   are NOT included. `startQueryEnd: "wholeSecond"` includes the whole end second.
 * - FilterLogEvents endTime: the API reference says events later than endTime
 *   are not returned (inclusive), one report says an event at exactly endTime
 *   was not returned (aws/aws-cli#4262). Default inclusive; switchable.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  CLOUDWATCH_LOGS_LIMITS,
  insightsLatencyMs,
  RequestRate,
  sigV4AccessKeyId,
  type InsightsLatencyModel,
  type InsightsLimits,
  type RateLimitedOperation,
} from "./insights-limits.js";
import { listenOnLoopback } from "./loopback-server.js";
import { realTimers, type LimitTimers } from "./service-limits.js";
import type { CloudWatchLogsClientConfig } from "@aws-sdk/client-cloudwatch-logs";

// ---- the data a fake log group serves ----

export interface SourceEvent {
  logStreamName: string;
  /** Epoch ms. */
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
  /** Opaque position: `events(…, { afterCursor })` resumes right after this event. */
  cursor: string;
}

export interface LogGroupSource {
  readonly logGroupName: string;
  readonly logStreamNames: readonly string[];
  /** What one event adds to bytesScanned. */
  readonly bytesPerEvent: number;
  /** Events with startMs ≤ timestamp < endMs. */
  count(startMs: number, endMs: number): number;
  /** Events with startMs ≤ timestamp < endMs, in timestamp order. */
  events(startMs: number, endMs: number, options?: { logStreamNames?: readonly string[]; afterCursor?: string }): Iterable<SourceEvent>;
  /** Optional shortcut for `stats count(*) by bin()` without message filters. */
  histogram?(startMs: number, endMs: number, binMs: number): Array<{ binStartMs: number; count: number }>;
}

// ---- protocol constants ----

export type Operation = "StartQuery" | "GetQueryResults" | "StopQuery" | "FilterLogEvents";
export type QueryStatus = "Scheduled" | "Running" | "Complete" | "Failed" | "Cancelled" | "Timeout";
export type ErrorType =
  | "ThrottlingException"
  | "LimitExceededException"
  | "ResourceNotFoundException"
  | "InvalidParameterException"
  | "MalformedQueryException"
  | "ServiceUnavailableException";

const TARGET_PREFIX = "Logs_20140328.";
const OPERATIONS: readonly Operation[] = ["StartQuery", "GetQueryResults", "StopQuery", "FilterLogEvents"];
const JSON_TYPE = "application/x-amz-json-1.1";
const MAX_BODY_BYTES = 1024 * 1024;
/** Logs Insights returns at most this many rows when neither `limit` is given (CWL_QuerySyntax-Limit). */
export const DEFAULT_QUERY_LIMIT = 10_000;
/** GetQueryResults returns at most this many rows per call (API_GetQueryResults, maxItems). */
export const MAX_RESULTS_PER_PAGE = 10_000;
/** FilterLogEvents: at most 10,000 events and 1 MB per page (API_FilterLogEvents). */
export const MAX_FILTER_EVENTS = 10_000;
const MAX_FILTER_PAGE_BYTES = 1_048_576;
/** PutLogEvents counts 26 bytes per event on top of the message; the fake uses the same for page size. */
const EVENT_OVERHEAD_BYTES = 26;
const FAKE_ACCOUNT_ID = "123456789012";

// ---- faults and records ----

/** `on: "any"` matches every operation; `times` defaults to 1; `skip` lets that many matching requests through first. */
export type Fault = {
  on: Operation | "any";
  times?: number;
  skip?: number;
  /** Only requests whose query string (StartQuery, or the polled query's) matches. */
  queryMatches?: RegExp;
} & (
  | { kind: "throttle" }
  | { kind: "status"; status: 500 | 502 | 503 | 504 }
  | { kind: "error"; type: ErrorType; message?: string }
  /** Destroy the connection without answering. */
  | { kind: "reset" }
  /** Consumed by StartQuery, which succeeds; the query then ends with this status (default Failed) instead of Complete. */
  | { kind: "fail"; status?: "Failed" | "Timeout" | "Cancelled" }
  /** Consumed by FilterLogEvents: no events, and a nextToken that resumes where this page would have started. */
  | { kind: "emptyPage" }
  /** Consumed by FilterLogEvents: one event without its message, personal data in a field beside it. */
  | { kind: "malformedEvent" }
);

export interface CallRecord {
  /** The operation named by x-amz-target (unknown names are recorded as sent). */
  op: string;
  /** HTTP status of the response (0 for a dropped connection). */
  status: number;
  /** The SigV4 access key id that signed the request. */
  identity?: string;
  /** The `__type` of an error response. */
  error?: string;
  fault?: Fault["kind"];
  queryId?: string;
  queryString?: string;
  /** "rows", "histogram" (stats by bin) or "count" (stats without by); undefined when unparsable. */
  queryKind?: QueryKind;
  logGroupNames?: string[];
  logStreamNames?: string[];
  /** As sent: epoch seconds for StartQuery, epoch ms for FilterLogEvents. */
  startTime?: number;
  endTime?: number;
  limit?: number;
  /** Result rows (GetQueryResults) or events (FilterLogEvents) in this response. */
  rows: number;
  queryStatus?: QueryStatus;
  /** Whether the response carried a nextToken. */
  nextToken?: boolean;
}

export interface FakeCloudWatchLogsOptions {
  groups?: LogGroupSource[];
  /** GetQueryResults polls answered "Running" (with partial results) before the final status; default 1. */
  runningPolls?: number;
  /** Polls answered "Scheduled" (no results) before those; default 0. */
  scheduledPolls?: number;
  /**
   * The most rows one query can return. Default 10,000: what the issue designs for, and what any client gets
   * without `limit`. The API reference now allows `limit` up to 100,000 read through GetQueryResults paging:
   * set 100_000 to model that.
   */
  maxQueryResults?: number;
  startQueryEnd?: "firstMillisecond" | "wholeSecond";
  filterLogEventsEnd?: "inclusive" | "exclusive";
  /** Queries started and not yet reported finished or stopped, all identities together; beyond it StartQuery is LimitExceeded. Default 30; unused with `limits`. */
  maxConcurrentQueries?: number;
  /** Requests per second per operation beyond which the fake throttles (e.g. `{ FilterLogEvents: 5 }`); default none. */
  rateLimits?: Partial<Record<Operation, number>>;
  /** Opt-in: Logs Insights limits per identity (the SigV4 access key id) and a latency model (docs/capacity.md). */
  limits?: FakeInsightsLimitsOptions;
}

export interface FakeInsightsLimitsOptions {
  /** Defaults: CLOUDWATCH_LOGS_LIMITS (30 concurrent queries, 5 StartQuery and 5 GetQueryResults a second). */
  queries?: Partial<InsightsLimits>;
  /** Without it a query runs for `scheduledPolls` + `runningPolls` polls, as without limits. */
  latency?: InsightsLatencyModel;
  /** Default real timers; tests pass ManualTimers to move time by hand. */
  timers?: LimitTimers;
}

export interface InsightsIdentityState {
  /** Queries of this identity started and neither ended nor stopped. */
  readonly runningQueries: number;
  readonly throttled: Readonly<Record<RateLimitedOperation, number>>;
  readonly limitExceeded: number;
}

export interface FakeCloudWatchLogs {
  /** `http://127.0.0.1:<port>`: the SDK `endpoint`. */
  readonly url: string;
  /** Every request, in arrival order (faulted ones included). */
  readonly calls: readonly CallRecord[];
  addGroup(group: LogGroupSource): void;
  group(name: string): LogGroupSource;
  /** Queue a fault; queued faults are consumed in order by matching requests. */
  inject(fault: Fault): void;
  /** Queries started and not yet finished or stopped. */
  runningQueries(): number;
  /** With limits: the state of one identity (SigV4 access key id), once it has sent a request. */
  insightsIdentity(accessKeyId: string): InsightsIdentityState | undefined;
  close(): Promise<void>;
}

// ---- Logs Insights query subset ----

export type QueryKind = "rows" | "histogram" | "count";
type OutputField = "@timestamp" | "@message" | "@logStream" | "@log" | "@ingestionTime";
const OUTPUT_FIELDS: readonly OutputField[] = ["@timestamp", "@message", "@logStream", "@log", "@ingestionTime"];

export interface ParsedInsightsQuery {
  kind: QueryKind;
  /** Output fields of a rows query, in order. */
  fields: OutputField[];
  /** `@timestamp` comparisons folded into one half-open window [minMs, maxMs). */
  minMs: number;
  maxMs: number;
  /** Conditions on other fields; empty means counts can come from arithmetic. */
  predicates: Array<(event: SourceEvent) => boolean>;
  stats?: { countField: string; binField?: string; binMs?: number };
  sort?: "asc" | "desc";
  limit?: number;
}

export class MalformedQueryError extends Error {
  constructor(
    message: string,
    readonly startCharOffset = 0,
    readonly endCharOffset = 0,
  ) {
    super(message);
  }
}

/** bin() units from CWL_QuerySyntax-Stats; calendar units (week, month, quarter, year) are not supported by the fake. */
const BIN_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  msec: 1,
  msecs: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

interface Command {
  text: string;
  /** Offset of the command text in the query string. */
  at: number;
}

/** Splits on `|` outside strings and regex literals, dropping `#` comments. */
function splitCommands(query: string): Command[] {
  const commands: Command[] = [];
  let current = "";
  let start = 0;
  let i = 0;
  const push = (): void => {
    const lead = current.length - current.trimStart().length;
    if (current.trim() !== "") commands.push({ text: current.trim(), at: start + lead });
  };
  while (i < query.length) {
    const c = query[i] as string;
    if (c === '"' || c === "'") {
      const end = scanQuoted(query, i, c);
      current += query.slice(i, end);
      i = end;
    } else if (c === "/" && /(?:\blike|=~)\s*$/i.test(current)) {
      const end = scanQuoted(query, i, "/");
      current += query.slice(i, end);
      i = end;
    } else if (c === "#") {
      while (i < query.length && query[i] !== "\n") i += 1;
    } else if (c === "|") {
      push();
      current = "";
      i += 1;
      start = i;
    } else {
      current += c;
      i += 1;
    }
  }
  push();
  return commands;
}

/** Index just past the literal opened at `open` (backslash escapes honoured). */
function scanQuoted(text: string, open: number, quote: string): number {
  for (let i = open + 1; i < text.length; i += 1) {
    if (text[i] === "\\") i += 1;
    else if (text[i] === quote) return i + 1;
  }
  throw new MalformedQueryError(`unterminated ${quote === "/" ? "regex" : "string"} literal`, open, text.length);
}

type Token =
  | { t: "field"; v: string; at: number }
  | { t: "number"; v: number; at: number }
  | { t: "string"; v: string; at: number }
  | { t: "regex"; v: RegExp; at: number }
  | { t: "op"; v: string; at: number }
  | { t: "word"; v: string; at: number };

function tokenize(text: string, base: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const at = base + i;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '"' || c === "'") {
      const end = scanQuoted(text, i, c);
      tokens.push({ t: "string", v: unescapeText(text.slice(i + 1, end - 1)), at });
      i = end;
    } else if (c === "/") {
      const end = scanQuoted(text, i, "/");
      tokens.push({ t: "regex", v: insightsRegex(text.slice(i + 1, end - 1), at), at });
      i = end;
    } else if (c === "@") {
      const m = /^@[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
      if (!m) throw new MalformedQueryError(`bad field name at offset ${at}`, at, at + 1);
      tokens.push({ t: "field", v: m[0], at });
      i += m[0].length;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?\d+(?![\w.])/.exec(text.slice(i));
      if (!m) throw new MalformedQueryError(`the fake only understands whole numbers (offset ${at})`, at, at + 1);
      tokens.push({ t: "number", v: Number(m[0]), at });
      i += m[0].length;
    } else if (/[<>=!]/.test(c)) {
      const m = /^(>=|<=|!=|=~|==|=|<|>)/.exec(text.slice(i));
      if (!m) throw new MalformedQueryError(`unexpected "${c}" at offset ${at}`, at, at + 1);
      tokens.push({ t: "op", v: m[0], at });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ t: "word", v: m[0].toLowerCase(), at });
      i += m[0].length;
    } else {
      throw new MalformedQueryError(`the fake does not understand "${c}" at offset ${at}`, at, at + 1);
    }
  }
  return tokens;
}

function unescapeText(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

/** Logs Insights regexes are RE2-like; the fake maps a leading `(?i)` to the i flag and otherwise uses JS semantics. */
function insightsRegex(source: string, at: number): RegExp {
  const insensitive = source.startsWith("(?i)");
  try {
    return new RegExp(insensitive ? source.slice(4) : source, insensitive ? "i" : "");
  } catch (error) {
    throw new MalformedQueryError(`bad regex /${source}/: ${String(error)}`, at, at + source.length + 2);
  }
}

const TEXT_FIELDS: Readonly<Record<string, (e: SourceEvent) => string>> = {
  "@message": (e) => e.message,
  "@logStream": (e) => e.logStreamName,
};

function parseFilter(command: Command, query: ParsedInsightsQuery): void {
  const tokens = tokenize(command.text.slice("filter".length), command.at + "filter".length);
  let i = 0;
  const next = (): Token | undefined => tokens[i++];
  const fail = (message: string, token: Token | undefined): never => {
    const at = token?.at ?? command.at + command.text.length;
    throw new MalformedQueryError(`${message} in "${command.text}"`, at, at + 1);
  };
  for (;;) {
    const field = next();
    if (field?.t !== "field") fail("expected a field such as @timestamp or @message", field);
    const name = (field as Token & { t: "field" }).v;
    let op = next();
    let negate = false;
    if (op?.t === "word" && op.v === "not") {
      negate = true;
      op = next();
      if (op?.t !== "word" || op.v !== "like") fail('"not" must be followed by "like"', op);
    }
    const value = next();
    if (name === "@timestamp") {
      if (op?.t !== "op" || value?.t !== "number") fail("@timestamp must be compared (>=, >, <, <=, =) with epoch milliseconds", value ?? op);
      const ms = (value as Token & { t: "number" }).v;
      switch ((op as Token & { t: "op" }).v) {
        case ">=":
          query.minMs = Math.max(query.minMs, ms);
          break;
        case ">":
          query.minMs = Math.max(query.minMs, ms + 1);
          break;
        case "<":
          query.maxMs = Math.min(query.maxMs, ms);
          break;
        case "<=":
          query.maxMs = Math.min(query.maxMs, ms + 1);
          break;
        case "=":
        case "==":
          query.minMs = Math.max(query.minMs, ms);
          query.maxMs = Math.min(query.maxMs, ms + 1);
          break;
        default:
          fail(`unsupported @timestamp operator ${(op as Token & { t: "op" }).v}`, op);
      }
    } else {
      const get = TEXT_FIELDS[name];
      if (get === undefined) fail(`the fake can only filter on @timestamp, @message and @logStream, not ${name}`, field);
      const read = get as (e: SourceEvent) => string;
      const isLike = op?.t === "word" && op.v === "like";
      const opText = op?.t === "op" ? op.v : undefined;
      let test: (text: string) => boolean;
      if ((isLike || opText === "=~") && value?.t === "regex") {
        const regex = value.v;
        test = (text) => regex.test(text);
      } else if (isLike && value?.t === "string") {
        const needle = value.v;
        test = (text) => text.includes(needle);
      } else if ((opText === "=" || opText === "==" || opText === "!=") && value?.t === "string") {
        const expected = value.v;
        negate = opText === "!=";
        test = (text) => text === expected;
      } else {
        fail(`unsupported condition on ${name}`, op);
        return;
      }
      query.predicates.push(negate ? (e) => !test(read(e)) : (e) => test(read(e)));
    }
    const joiner = next();
    if (joiner === undefined) return;
    if (joiner.t !== "word" || joiner.v !== "and") fail('the fake only joins conditions with "and"', joiner);
  }
}

function parseStats(command: Command, query: ParsedInsightsQuery): void {
  const m =
    /^stats\s+(count\(\s*(?:\*|@[A-Za-z_]\w*)?\s*\))(?:\s+as\s+([A-Za-z_]\w*))?(?:\s+by\s+(bin\(\s*(\d+)\s*([A-Za-z]+)\s*\))(?:\s+as\s+([A-Za-z_]\w*))?)?\s*$/i.exec(
      command.text,
    );
  if (!m) {
    throw new MalformedQueryError(
      `the fake understands only "stats count(*) [as name] [by bin(<n><unit>) [as name]]", not "${command.text}"`,
      command.at,
      command.at + command.text.length,
    );
  }
  const [, countExpr = "", countAlias, binExpr, amount, unit, binAlias] = m;
  const stats: NonNullable<ParsedInsightsQuery["stats"]> = { countField: countAlias ?? countExpr };
  if (binExpr !== undefined) {
    const unitMs = BIN_UNITS[(unit ?? "").toLowerCase()];
    const binMs = Number(amount) * (unitMs ?? Number.NaN);
    if (!Number.isSafeInteger(binMs) || binMs <= 0) {
      throw new MalformedQueryError(
        `unsupported bin width "${binExpr}" (units: ms, s, m, h, d and their long forms)`,
        command.at,
        command.at + command.text.length,
      );
    }
    // The service names an unaliased group-by column after its expression text, e.g. "bin(1m)".
    stats.binField = binAlias ?? binExpr;
    stats.binMs = binMs;
  }
  query.stats = stats;
  query.kind = binExpr === undefined ? "count" : "histogram";
}

export function parseInsightsQuery(queryString: string, maxLimit = DEFAULT_QUERY_LIMIT): ParsedInsightsQuery {
  const query: ParsedInsightsQuery = { kind: "rows", fields: [], minMs: -Infinity, maxMs: Infinity, predicates: [] };
  const commands = splitCommands(queryString);
  commands.forEach((command, index) => {
    const verb = (/^[A-Za-z]+/.exec(command.text)?.[0] ?? "").toLowerCase();
    const span = [command.at, command.at + command.text.length] as const;
    if (query.limit !== undefined) throw new MalformedQueryError("the fake requires limit to be the last command", ...span);
    switch (verb) {
      case "fields": {
        if (query.stats) throw new MalformedQueryError("the fake does not support fields after stats", ...span);
        for (const raw of command.text.slice(6).split(",")) {
          const name = raw.trim();
          if (!OUTPUT_FIELDS.includes(name as OutputField)) {
            throw new MalformedQueryError(`the fake supports only the fields ${OUTPUT_FIELDS.join(", ")}, not "${name}"`, ...span);
          }
          if (!query.fields.includes(name as OutputField)) query.fields.push(name as OutputField);
        }
        break;
      }
      case "filter":
        if (query.stats || query.sort) throw new MalformedQueryError("the fake supports filter only before stats and sort", ...span);
        parseFilter(command, query);
        break;
      case "stats":
        if (query.stats || query.sort) throw new MalformedQueryError("the fake supports one stats, before sort", ...span);
        parseStats(command, query);
        break;
      case "sort": {
        const m = /^sort\s+(\S+)\s+(asc|desc)\s*$/i.exec(command.text);
        const field = m?.[1];
        const allowed = query.stats ? query.stats.binField : "@timestamp";
        if (!m || field !== allowed) {
          throw new MalformedQueryError(
            `the fake supports only "sort ${allowed ?? "@timestamp"} asc|desc" here (direction required), not "${command.text}"`,
            ...span,
          );
        }
        query.sort = (m[2] ?? "").toLowerCase() as "asc" | "desc";
        break;
      }
      case "limit": {
        const m = /^limit\s+(\d+)\s*$/i.exec(command.text);
        const n = Number(m?.[1]);
        if (!m || !Number.isSafeInteger(n) || n < 1 || n > maxLimit) {
          throw new MalformedQueryError(`limit must be a whole number from 1 to ${maxLimit}, not "${command.text}"`, ...span);
        }
        query.limit = n;
        break;
      }
      default:
        throw new MalformedQueryError(
          `the fake does not support the command "${verb || command.text}" (command ${index + 1}); it knows fields, filter, stats, sort, limit`,
          ...span,
        );
    }
  });
  if (!query.stats && query.fields.length === 0) {
    throw new MalformedQueryError("the fake needs a fields or stats command (it does not invent default fields)", 0, queryString.length);
  }
  return query;
}

/** `2026-02-04 14:30:00.000`: how Logs Insights renders @timestamp and bin() values. */
export function formatInsightsTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Inverse of formatInsightsTime (UTC). */
export function parseInsightsTime(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3})$/.exec(text);
  const ms = m ? Date.parse(`${m[1]}T${m[2]}Z`) : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`not a Logs Insights time: ${text}`);
  return ms;
}

// ---- evaluating a query ----

interface GroupEvent {
  event: SourceEvent;
  group: LogGroupSource;
}

interface QueryOutcome {
  rows: Array<Array<{ field: string; value: string }>>;
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

/** Events of several groups merged by timestamp (each group is already in order). */
function* merged(groups: readonly LogGroupSource[], startMs: number, endMs: number): Generator<GroupEvent, void, undefined> {
  if (groups.length === 1) {
    const group = groups[0] as LogGroupSource;
    for (const event of group.events(startMs, endMs)) yield { event, group };
    return;
  }
  const heads = groups.map((group) => ({ group, it: group.events(startMs, endMs)[Symbol.iterator](), cur: undefined as SourceEvent | undefined }));
  for (const h of heads) h.cur = h.it.next().value ?? undefined;
  for (;;) {
    let best: (typeof heads)[number] | undefined;
    for (const h of heads) if (h.cur && (!best?.cur || h.cur.timestamp < best.cur.timestamp)) best = h;
    if (!best?.cur) return;
    yield { event: best.cur, group: best.group };
    best.cur = best.it.next().value ?? undefined;
  }
}

function rowOf(fields: readonly OutputField[], { event, group }: GroupEvent): Array<{ field: string; value: string }> {
  const row: Array<{ field: string; value: string }> = fields.map((field) => ({ field, value: fieldValue(field, event, group) }));
  // The service adds @ptr to every row of a fields query (API_GetQueryResults).
  row.push({ field: "@ptr", value: Buffer.from(`${group.logGroupName}\u0000${event.cursor}`).toString("base64") });
  return row;
}

function fieldValue(field: OutputField, event: SourceEvent, group: LogGroupSource): string {
  switch (field) {
    case "@timestamp":
      return formatInsightsTime(event.timestamp);
    case "@message":
      return event.message;
    case "@logStream":
      return event.logStreamName;
    case "@log":
      return `${FAKE_ACCOUNT_ID}:${group.logGroupName}`;
    case "@ingestionTime":
      return formatInsightsTime(event.ingestionTime);
  }
}

function evaluate(query: ParsedInsightsQuery, groups: readonly LogGroupSource[], rangeLo: number, rangeHi: number, cap: number): QueryOutcome {
  const recordsScanned = groups.reduce((sum, g) => sum + g.count(rangeLo, rangeHi), 0);
  const bytesScanned = groups.reduce((sum, g) => sum + g.count(rangeLo, rangeHi) * g.bytesPerEvent, 0);
  const lo = Math.max(rangeLo, query.minMs);
  const hi = Math.min(rangeHi, query.maxMs);
  const limit = Math.min(query.limit ?? DEFAULT_QUERY_LIMIT, cap);
  const matches = (e: SourceEvent): boolean => query.predicates.every((p) => p(e));
  const base = { recordsScanned, bytesScanned };
  if (lo >= hi) return { rows: [], recordsMatched: 0, ...base };

  if (query.stats) {
    const { countField, binField, binMs } = query.stats;
    const counts = new Map<number, number>();
    let matched = 0;
    const canShortcut = query.predicates.length === 0 && binMs !== undefined && groups.every((g) => g.histogram !== undefined);
    if (canShortcut) {
      for (const g of groups) {
        for (const bin of g.histogram?.(lo, hi, binMs) ?? []) {
          counts.set(bin.binStartMs, (counts.get(bin.binStartMs) ?? 0) + bin.count);
          matched += bin.count;
        }
      }
    } else if (query.predicates.length === 0 && binMs === undefined) {
      matched = groups.reduce((sum, g) => sum + g.count(lo, hi), 0);
      counts.set(0, matched);
    } else {
      for (const { event } of merged(groups, lo, hi)) {
        if (!matches(event)) continue;
        matched += 1;
        const bin = binMs === undefined ? 0 : Math.floor(event.timestamp / binMs) * binMs;
        counts.set(bin, (counts.get(bin) ?? 0) + 1);
      }
    }
    if (binField === undefined) {
      return { rows: [[{ field: countField, value: String(matched) }]], recordsMatched: matched, ...base };
    }
    // Without a sort the fake lists bins newest first: the service promises no order, so consumers must not rely on one.
    const bins = [...counts.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => (query.sort === "asc" ? a - b : b - a));
    const rows = bins.slice(0, limit).map(([bin, n]) => [
      { field: binField, value: formatInsightsTime(bin) },
      { field: countField, value: String(n) },
    ]);
    return { rows, recordsMatched: matched, ...base };
  }

  const rows: QueryOutcome["rows"] = [];
  if (query.sort === "asc") {
    let matched = 0;
    for (const item of merged(groups, lo, hi)) {
      if (!matches(item.event)) continue;
      matched += 1;
      if (rows.length < limit) rows.push(rowOf(query.fields, item));
      else if (query.predicates.length === 0) break; // the rest is counted by arithmetic
    }
    if (query.predicates.length === 0) matched = groups.reduce((sum, g) => sum + g.count(lo, hi), 0);
    return { rows, recordsMatched: matched, ...base };
  }
  // desc, and unsorted (served newest first): the newest `limit` matches, kept in a ring.
  const ring: GroupEvent[] = [];
  let matched = 0;
  for (const item of merged(groups, lo, hi)) {
    if (!matches(item.event)) continue;
    ring[matched % limit] = item;
    matched += 1;
  }
  const kept = Math.min(matched, limit);
  for (let k = 1; k <= kept; k += 1) rows.push(rowOf(query.fields, ring[(matched - k) % limit] as GroupEvent));
  return { rows, recordsMatched: matched, ...base };
}

// ---- the server ----

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface QueryState {
  id: string;
  queryString: string;
  parsed: ParsedInsightsQuery;
  groups: LogGroupSource[];
  rangeLo: number;
  rangeHi: number;
  cap: number;
  polls: number;
  terminal: "Complete" | "Failed" | "Timeout" | "Cancelled";
  stopped: boolean;
  /** Reported finished (or stopped): no longer counts against concurrency. */
  finished: boolean;
  /** Kept only until the last page was served, so finished queries hold no rows. */
  outcome?: QueryOutcome;
  /** With limits: who started it. */
  identity?: string;
  /** With a latency model: when it started and when it stops Running (limit timers' clock). */
  startedMs?: number;
  readyAtMs?: number;
}

type Json = Record<string, unknown>;

function str(body: Json, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new ServiceError("InvalidParameterException", `${key} must be a string`);
  return v;
}

function int(body: Json, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new ServiceError("InvalidParameterException", `${key} must be a whole number`);
  return v;
}

function strings(body: Json, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === "string"))
    throw new ServiceError("InvalidParameterException", `${key} must be a list of strings`);
  return v;
}

function encodeToken(value: Json): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function decodeToken(token: string): Json {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof value === "object" && value !== null) return value as Json;
  } catch {
    // fall through
  }
  throw new ServiceError("InvalidParameterException", "The specified nextToken is invalid.");
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ServiceError("SerializationException", "request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(text), "x-amzn-requestid": randomUUID() });
  res.end(text);
}

/** Simple FilterLogEvents patterns: space-separated terms or "quoted phrases", all required (case-sensitive). */
function filterPatternTest(pattern: string | undefined): (message: string) => boolean {
  if (pattern === undefined || pattern.trim() === "") return () => true;
  const terms = [...pattern.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? unescapeText(m[1]) : (m[2] ?? "")));
  if (terms.some((t) => /^[{[?%-]/.test(t))) {
    throw new ServiceError("InvalidParameterException", `the fake supports only plain terms and "quoted phrases" in filterPattern, not ${pattern}`);
  }
  return (message) => terms.every((t) => message.includes(t));
}

export async function startFakeCloudWatchLogs(options: FakeCloudWatchLogsOptions = {}): Promise<FakeCloudWatchLogs> {
  const groups = new Map<string, LogGroupSource>();
  for (const g of options.groups ?? []) groups.set(g.logGroupName, g);
  const runningPolls = options.runningPolls ?? 1;
  const scheduledPolls = options.scheduledPolls ?? 0;
  const cap = options.maxQueryResults ?? DEFAULT_QUERY_LIMIT;
  const maxConcurrent = options.maxConcurrentQueries ?? 30;
  const calls: CallRecord[] = [];
  const queries = new Map<string, QueryState>();
  const faults: Array<Fault & { left: number; toSkip: number }> = [];
  const recent = new Map<Operation, number[]>();
  const limits = options.limits === undefined ? undefined : { ...CLOUDWATCH_LOGS_LIMITS, ...options.limits.queries };
  const latency = options.limits?.latency;
  const timers = options.limits?.timers ?? realTimers;
  const identities = new Map<string, { rate: RequestRate; limitExceeded: number }>();
  const identityState = (id: string): { rate: RequestRate; limitExceeded: number } | undefined => {
    if (limits === undefined) return undefined;
    let state = identities.get(id);
    if (state === undefined) {
      state = { rate: new RequestRate(limits, timers), limitExceeded: 0 };
      identities.set(id, state);
    }
    return state;
  };
  /** A query holds a concurrency slot until reported ended or stopped, or (with a latency model) until its time is up. */
  const holdsSlot = (q: QueryState): boolean => !q.finished && (q.readyAtMs === undefined || timers.now() < q.readyAtMs);
  const runningOf = (id: string): number => [...queries.values()].filter((q) => q.identity === id && holdsSlot(q)).length;

  const running = (): number => [...queries.values()].filter((q) => !q.finished).length;

  function groupNamed(name: string): LogGroupSource {
    const g = groups.get(name);
    if (g === undefined) throw new ServiceError("ResourceNotFoundException", `The specified log group does not exist: ${name}`);
    return g;
  }

  function takeFault(op: Operation, queryString: string | undefined): Fault | undefined {
    const index = faults.findIndex(
      (f) =>
        (f.on === "any" || f.on === op) &&
        (f.kind !== "fail" || op === "StartQuery") &&
        ((f.kind !== "emptyPage" && f.kind !== "malformedEvent") || op === "FilterLogEvents") &&
        (f.queryMatches === undefined || (queryString !== undefined && f.queryMatches.test(queryString))),
    );
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

  function rateLimited(op: Operation): boolean {
    const perSecond = options.rateLimits?.[op];
    if (perSecond === undefined) return false;
    const now = Date.now();
    const times = (recent.get(op) ?? []).filter((t) => now - t < 1_000);
    recent.set(op, times);
    if (times.length >= perSecond) return true;
    times.push(now);
    return false;
  }

  function checkConcurrency(identity: string | undefined): void {
    if (limits === undefined) {
      if (running() >= maxConcurrent)
        throw new ServiceError("LimitExceededException", `Account maximum query concurrency limit of [${maxConcurrent}] reached.`);
      return;
    }
    const state = identityState(identity ?? "");
    if (state !== undefined && runningOf(identity ?? "") >= limits.concurrentQueries) {
      state.limitExceeded += 1;
      throw new ServiceError("LimitExceededException", `Account maximum query concurrency limit of [${limits.concurrentQueries}] reached.`);
    }
  }

  function startQuery(body: Json, record: CallRecord, fault: Fault | undefined): Json {
    const queryString = str(body, "queryString");
    const startTime = int(body, "startTime");
    const endTime = int(body, "endTime");
    const limit = int(body, "limit");
    const names = [str(body, "logGroupName"), strings(body, "logGroupNames"), strings(body, "logGroupIdentifiers")];
    const given = names.filter((n) => n !== undefined);
    if (queryString === undefined || startTime === undefined || endTime === undefined) {
      throw new ServiceError("InvalidParameterException", "queryString, startTime and endTime are required");
    }
    if (given.length !== 1)
      throw new ServiceError("InvalidParameterException", "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers is required");
    const groupNames = ([] as string[]).concat(given[0] as string | string[]);
    record.logGroupNames = groupNames;
    if (startTime > 1e11 || endTime > 1e11) {
      // Fake-only guard: milliseconds sent as seconds would query the far future and quietly match nothing.
      throw new ServiceError("InvalidParameterException", "startTime and endTime are epoch seconds (these look like milliseconds)");
    }
    if (endTime < startTime) throw new ServiceError("InvalidParameterException", "End time should not be before the start time");
    if (limit !== undefined && (limit < 1 || limit > cap)) throw new ServiceError("InvalidParameterException", `limit must be between 1 and ${cap}`);
    const resolved = groupNames.map(groupNamed);
    let parsed: ParsedInsightsQuery;
    try {
      parsed = parseInsightsQuery(queryString, cap);
    } catch (error) {
      if (!(error instanceof MalformedQueryError)) throw error;
      throw new ServiceError("MalformedQueryException", error.message, 400, {
        queryCompileError: { location: { startCharOffset: error.startCharOffset, endCharOffset: error.endCharOffset }, message: error.message },
      });
    }
    record.queryKind = parsed.kind;
    checkConcurrency(record.identity);
    if (limit !== undefined) parsed.limit = Math.min(parsed.limit ?? limit, limit);
    const id = randomUUID();
    const state: QueryState = {
      id,
      queryString,
      parsed,
      groups: resolved,
      rangeLo: startTime * 1_000,
      rangeHi: endTime * 1_000 + (options.startQueryEnd === "wholeSecond" ? 1_000 : 1),
      cap,
      polls: 0,
      terminal: fault?.kind === "fail" ? (fault.status ?? "Failed") : "Complete",
      stopped: false,
      finished: false,
      ...(limits !== undefined ? { identity: record.identity ?? "" } : {}),
    };
    if (latency !== undefined) {
      // The time depends on what the query reads and returns, so it is evaluated now, not at the first poll.
      state.outcome = evaluate(state.parsed, state.groups, state.rangeLo, state.rangeHi, state.cap);
      state.startedMs = timers.now();
      state.readyAtMs = state.startedMs + insightsLatencyMs(latency, state.outcome.bytesScanned, state.outcome.rows.length);
    }
    queries.set(id, state);
    record.queryId = id;
    return { queryId: id };
  }

  function getQueryResults(body: Json, record: CallRecord, q: QueryState): Json {
    const maxItems = int(body, "maxItems");
    const token = str(body, "nextToken");
    if (maxItems !== undefined && (maxItems < 1 || maxItems > MAX_RESULTS_PER_PAGE)) {
      throw new ServiceError("InvalidParameterException", `maxItems must be between 1 and ${MAX_RESULTS_PER_PAGE}`);
    }
    q.polls += 1;
    const emptyStats = { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
    const answer = (status: QueryStatus, rows: QueryOutcome["rows"], statistics: Json, nextToken?: string): Json => {
      record.queryStatus = status;
      record.rows = rows.length;
      record.nextToken = nextToken !== undefined;
      return { status, statistics, results: rows, ...(nextToken !== undefined ? { nextToken } : {}) };
    };
    if (q.stopped) {
      q.finished = true;
      return answer("Cancelled", [], emptyStats);
    }
    const timed = q.readyAtMs !== undefined && q.startedMs !== undefined;
    if (!timed && q.polls <= scheduledPolls) return answer("Scheduled", [], emptyStats);
    q.outcome ??= evaluate(q.parsed, q.groups, q.rangeLo, q.rangeHi, q.cap);
    const outcome = q.outcome;
    const stats = { recordsMatched: outcome.recordsMatched, recordsScanned: outcome.recordsScanned, bytesScanned: outcome.bytesScanned };
    const share = runningShare(q);
    if (share !== undefined) {
      // Running answers carry a growing prefix of the results, as the service's partial results do.
      const partial = (n: number): number => Math.floor(n * share);
      return answer("Running", outcome.rows.slice(0, partial(outcome.rows.length)), {
        recordsMatched: partial(stats.recordsMatched),
        recordsScanned: partial(stats.recordsScanned),
        bytesScanned: partial(stats.bytesScanned),
      });
    }
    if (q.terminal !== "Complete") {
      q.finished = true;
      q.outcome = undefined;
      return answer(q.terminal, [], stats);
    }
    q.finished = true;
    let offset = 0;
    if (token !== undefined) {
      const decoded = decodeToken(token);
      if (decoded.q !== q.id || typeof decoded.o !== "number") throw new ServiceError("InvalidParameterException", "The specified nextToken is invalid.");
      offset = decoded.o;
    }
    const page = maxItems ?? MAX_RESULTS_PER_PAGE;
    const rows = outcome.rows.slice(offset, offset + page);
    const more = offset + page < outcome.rows.length;
    if (!more) q.outcome = undefined;
    return answer("Complete", rows, stats, more ? encodeToken({ q: q.id, o: offset + page }) : undefined);
  }

  /** The share of its work a query has done while Running, or undefined once it is done. */
  function runningShare(q: QueryState): number | undefined {
    if (q.readyAtMs !== undefined && q.startedMs !== undefined) {
      const nowMs = timers.now();
      return nowMs < q.readyAtMs ? (nowMs - q.startedMs) / (q.readyAtMs - q.startedMs) : undefined;
    }
    return q.polls <= scheduledPolls + runningPolls ? (q.polls - scheduledPolls) / (runningPolls + 1) : undefined;
  }

  function filterLogEvents(body: Json, record: CallRecord, fault: Fault | undefined): Json {
    const name = str(body, "logGroupName") ?? str(body, "logGroupIdentifier");
    if (name === undefined || (body.logGroupName !== undefined && body.logGroupIdentifier !== undefined)) {
      throw new ServiceError("InvalidParameterException", "Exactly one of logGroupName or logGroupIdentifier is required");
    }
    const group = groupNamed(name);
    const streamNames = strings(body, "logStreamNames");
    const prefix = str(body, "logStreamNamePrefix");
    if (streamNames !== undefined && prefix !== undefined)
      throw new ServiceError("InvalidParameterException", "logStreamNames and logStreamNamePrefix cannot both be given");
    const startTime = int(body, "startTime");
    const endTime = int(body, "endTime");
    const limit = int(body, "limit") ?? MAX_FILTER_EVENTS;
    const token = str(body, "nextToken");
    record.logGroupNames = [name];
    if (streamNames !== undefined) record.logStreamNames = streamNames;
    if (startTime === undefined || endTime === undefined) {
      throw new ServiceError("InvalidParameterException", "the fake needs startTime and endTime (it does not scan from 1970)");
    }
    if (limit < 1 || limit > MAX_FILTER_EVENTS) throw new ServiceError("InvalidParameterException", `limit must be between 1 and ${MAX_FILTER_EVENTS}`);
    const matchesPattern = filterPatternTest(str(body, "filterPattern"));
    const hi = options.filterLogEventsEnd === "exclusive" ? endTime : endTime + 1;
    const streams = prefix === undefined ? streamNames : group.logStreamNames.filter((s) => s.startsWith(prefix));
    // The token is tied to the request it came from, as the service's are.
    const request = { g: name, s: startTime, e: endTime, n: streams ?? null };
    let afterCursor: string | undefined;
    if (token !== undefined) {
      const decoded = decodeToken(token);
      if (JSON.stringify(decoded.r) !== JSON.stringify(request))
        throw new ServiceError("InvalidParameterException", "The nextToken does not match this request.");
      afterCursor = typeof decoded.c === "string" ? decoded.c : undefined;
    }
    const resumeToken = (cursor: string | undefined): string => encodeToken({ r: request, ...(cursor !== undefined ? { c: cursor } : {}) });
    if (fault?.kind === "malformedEvent")
      return { events: [{ eventId: "malformed-1", timestamp: startTime, logStreamName: "web-1", note: "user alice@example.com from 203.0.113.7" }] };
    if (fault?.kind === "emptyPage") {
      record.nextToken = true;
      return { events: [], nextToken: resumeToken(afterCursor) };
    }
    const events: Array<Omit<SourceEvent, "cursor">> = [];
    let bytes = 0;
    let last: string | undefined = afterCursor;
    let more = false;
    const eventOptions = { ...(streams !== undefined ? { logStreamNames: streams } : {}), ...(afterCursor !== undefined ? { afterCursor } : {}) };
    for (const event of group.events(startTime, hi, eventOptions)) {
      if (!matchesPattern(event.message)) {
        last = event.cursor;
        continue;
      }
      const size = Buffer.byteLength(event.message) + EVENT_OVERHEAD_BYTES;
      if (events.length >= limit || bytes + size > MAX_FILTER_PAGE_BYTES) {
        more = true;
        break;
      }
      const { cursor, ...wire } = event;
      events.push({
        logStreamName: wire.logStreamName,
        timestamp: wire.timestamp,
        message: wire.message,
        ingestionTime: wire.ingestionTime,
        eventId: wire.eventId,
      });
      bytes += size;
      last = cursor;
    }
    record.rows = events.length;
    record.nextToken = more;
    return { events, ...(more ? { nextToken: resumeToken(last) } : {}) };
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const record: CallRecord = { op, status: 0, rows: 0 };
    calls.push(record);
    const fail = (error: ServiceError): void => {
      record.status = error.status;
      record.error = error.type;
      send(res, error.status, { __type: error.type, message: error.message, ...error.extra });
    };
    try {
      if (req.method !== "POST" || !OPERATIONS.includes(op as Operation)) {
        throw new ServiceError("UnknownOperationException", `The fake does not implement ${req.method ?? ""} ${target || "(no x-amz-target)"}`);
      }
      const authorization = String(req.headers.authorization ?? "");
      if (!authorization.startsWith("AWS4-HMAC-SHA256 ")) {
        throw new ServiceError("MissingAuthenticationTokenException", "Missing Authentication Token");
      }
      const identity = sigV4AccessKeyId(authorization);
      if (identity !== undefined) record.identity = identity;
      let body: Json;
      try {
        const parsed: unknown = JSON.parse(await readBody(req));
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        body = parsed as Json;
      } catch (error) {
        throw new ServiceError("SerializationException", `body is not a JSON object: ${String(error)}`);
      }
      const operation = op as Operation;
      if (typeof body.queryString === "string") record.queryString = body.queryString;
      for (const key of ["startTime", "endTime", "limit"] as const) {
        const v = body[key];
        if (typeof v === "number") record[key] = v;
      }
      const queryId = typeof body.queryId === "string" ? body.queryId : undefined;
      if (queryId !== undefined) record.queryId = queryId;
      const polled = queryId === undefined ? undefined : queries.get(queryId);
      if (polled) {
        record.queryString = polled.queryString;
        record.queryKind = polled.parsed.kind;
      }

      if ((operation === "StartQuery" || operation === "GetQueryResults") && identityState(identity ?? "")?.rate.take(operation) === false) {
        // The JSON 1.1 protocol's throttling answer: HTTP 400 with `__type` ThrottlingException.
        throw new ServiceError("ThrottlingException", "Rate exceeded");
      }
      const fault = takeFault(operation, record.queryString);
      if (fault) record.fault = fault.kind;
      if (fault?.kind === "reset") {
        res.socket?.destroy();
        return;
      }
      if (fault?.kind === "throttle" || (fault === undefined && rateLimited(operation))) throw new ServiceError("ThrottlingException", "Rate exceeded");
      if (fault?.kind === "status") throw new ServiceError("ServiceUnavailableException", "The service cannot complete the request.", fault.status);
      if (fault?.kind === "error") {
        throw new ServiceError(fault.type, fault.message ?? `injected ${fault.type}`, fault.type === "ServiceUnavailableException" ? 503 : 400);
      }

      let out: Json;
      switch (operation) {
        case "StartQuery":
          out = startQuery(body, record, fault);
          break;
        case "GetQueryResults":
        case "StopQuery": {
          if (queryId === undefined) throw new ServiceError("InvalidParameterException", "queryId is required");
          if (polled === undefined) throw new ServiceError("ResourceNotFoundException", `Query does not exist: ${queryId}`);
          if (operation === "GetQueryResults") {
            out = getQueryResults(body, record, polled);
          } else {
            // success: false for a query that already ended (the fake's reading of the API reference; not checked against the service).
            const success = !polled.finished;
            if (success) {
              polled.stopped = true;
              polled.finished = true;
              polled.outcome = undefined;
            }
            out = { success };
          }
          break;
        }
        case "FilterLogEvents":
          out = filterLogEvents(body, record, fault);
          break;
      }
      record.status = 200;
      send(res, 200, out);
    } catch (error) {
      if (error instanceof ServiceError) return fail(error);
      throw error;
    }
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else send(res, 500, { __type: "InternalFailure", message: `fake server bug: ${String(error)}` });
    });
  });
  const listening = await listenOnLoopback(server);

  return {
    url: listening.url,
    calls,
    addGroup(group) {
      groups.set(group.logGroupName, group);
    },
    group(name) {
      const g = groups.get(name);
      if (g === undefined) throw new Error(`fake CloudWatch Logs has no log group ${name}`);
      return g;
    },
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? 1, toSkip: fault.skip ?? 0 });
    },
    runningQueries: running,
    insightsIdentity(accessKeyId) {
      const state = identities.get(accessKeyId);
      if (state === undefined) return undefined;
      return { runningQueries: runningOf(accessKeyId), throttled: { ...state.rate.throttled }, limitExceeded: state.limitExceeded };
    },
    close: listening.close,
  };
}

// ---- client settings for tests ----

type RetryStrategyV2 = Extract<NonNullable<CloudWatchLogsClientConfig["retryStrategy"]>, { refreshRetryTokenForRetry: unknown }>;

/**
 * The SDK's own error classification (throttling, transient, 5xx retried; client errors not) with a fixed,
 * tiny delay: the standard strategy waits up to ~1 s per throttling retry, too slow for tests.
 */
export function fastRetryStrategy(maxAttempts: number, delayMs = 1): RetryStrategyV2 {
  const token = (count: number): { getRetryCount(): number; getRetryDelay(): number } => ({ getRetryCount: () => count, getRetryDelay: () => delayMs });
  return {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const count = previous.getRetryCount() + 1;
      if (info.errorType === "CLIENT_ERROR" || count >= maxAttempts) throw new Error("no retry left");
      return token(count);
    },
    recordSuccess: () => undefined,
  };
}

/** Client options pointing the real SDK at the fake (dummy credentials, fast retries). */
export function fakeClientConfig(fake: FakeCloudWatchLogs, maxAttempts = 2): CloudWatchLogsClientConfig {
  return {
    region: "us-east-1",
    endpoint: fake.url,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts,
    retryStrategy: fastRetryStrategy(maxAttempts),
  };
}
