import type { Column, LogRecord, TransformResult } from "./records.js";
import type { Clock, TimeRange } from "./time.js";

export type { Clock };

/** Rows and estimated bytes in [startMs, endMs) as a histogram query reports them. */
export interface HistogramBin extends TimeRange {
  readonly rows: number;
  readonly bytes: number;
}

export interface QueryOptions {
  readonly abortSignal?: AbortSignal;
}

/** An open part query: the columns are known, the rows arrive as a stream. */
export interface PartStream {
  readonly query: string;
  readonly columns: readonly Column[];
  readonly rows: AsyncIterable<LogRecord>;
}

/** A queryable log store (Log Analytics workspace, CloudWatch log group). */
export interface LogSource {
  /** Where the rows come from, for manifests: e.g. `log-analytics:<workspace id>`. */
  readonly description: string;
  histogramQuery(table: string, range: TimeRange, binMs: number): string;
  /** Non-empty bins of width binMs clipped to range, ordered by time. */
  histogram(table: string, range: TimeRange, binMs: number, options?: QueryOptions): Promise<HistogramBin[]>;
  openPart(table: string, range: TimeRange, options?: QueryOptions): Promise<PartStream>;
  /** Reads a slice exactly when it is too dense for any query (sources that can; the planner marks such parts). */
  scanPart?(table: string, range: TimeRange, options?: QueryOptions): Promise<PartStream>;
  /** Running totals of what the source's queries cost, when it reports them. */
  statistics?(): SourceStatistics;
}

export interface SourceStatistics {
  readonly bytesScanned: number;
  readonly queryIds: readonly string[];
  /** Requests the service refused for its limits (concurrency, request rate) that the source waited out and sent again. */
  readonly throttled?: number;
}

export interface StoredObject {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface WriteObjectOptions {
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Runs after every byte is staged and before the object becomes visible; throwing discards it. */
  readonly beforeCommit?: () => void;
}

export interface TextObject {
  readonly text: string;
  readonly etag: string;
}

export type WriteCondition = { readonly ifMatch: string } | { readonly ifNoneMatch: "*" } | undefined;

/** Object storage (Blob container, S3 bucket, local directory) addressed by `/`-separated names. */
export interface ObjectStore {
  /** Human-readable location, never containing secrets. */
  readonly location: string;
  writeObject(name: string, body: AsyncIterable<Uint8Array>, options: WriteObjectOptions): Promise<StoredObject>;
  readText(name: string): Promise<TextObject | undefined>;
  /** Returns the new etag, or undefined when the condition failed. */
  writeText(name: string, text: string, condition?: WriteCondition): Promise<string | undefined>;
  list(prefix: string): AsyncIterable<string>;
  delete(name: string): Promise<void>;
}

/** A store that can also append lines atomically (Blob append blobs, local files): where ledgers live. */
export interface StateStore extends ObjectStore {
  /** Appends one line atomically, creating the object with `header` first when it does not exist. */
  appendLine(name: string, line: string, header: string): Promise<void>;
}

export interface SendOptions {
  /** The message stays invisible this long (a deferred job). */
  readonly delaySeconds?: number;
}

/** Where window jobs go (a Storage Queue in Azure). */
export interface JobQueue {
  send(messageText: string, options?: SendOptions): Promise<void>;
  /** About how many messages wait (the queue's approximate count). */
  pending(): Promise<number>;
}

/** Which jobs a query serves: a backfill's never take the last slot, so the schedule always has one. */
export type QueryLane = "scheduled" | "backfill";

/** Leases on named objects that expire unless renewed (Blob leases): what a bound shared by every instance is built on. */
export interface LeaseStore {
  /** A lease id, or undefined when another holder has the lease. */
  tryAcquire(name: string, durationSeconds: number): Promise<string | undefined>;
  renew(name: string, leaseId: string): Promise<void>;
  release(name: string, leaseId: string): Promise<void>;
}

/** Rewrites a record before it is encoded; counts what it changed, never logs values. */
export interface RecordSanitizer {
  readonly name: string;
  sanitize(record: LogRecord): LogRecord;
  /** The same rules over one plain string (a column of a parsed line). */
  sanitizeText(text: string): string;
  counts(): Readonly<Record<string, number>>;
}

/** Turns source records into output rows (or counted exclusions); its sanitizer's counts go into the manifest. */
export interface RecordTransform {
  apply(record: LogRecord): TransformResult;
  readonly sanitizer: RecordSanitizer;
}

export interface RecordEncoder {
  readonly extension: string;
  readonly contentType: string;
  /** The columns it writes whatever the source's (a fixed Parquet schema); undefined: the source's columns. */
  readonly columns?: readonly Column[];
  encode(records: AsyncIterable<LogRecord>, columns: readonly Column[]): AsyncIterable<Uint8Array>;
  /** What the manifest records of the files written for these source columns (format name, writer, schema). */
  format?(columns: readonly Column[]): Readonly<Record<string, unknown>>;
}

export interface Logger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}
