import { ConfigurationError } from "../../core/errors.js";
import { binWidthLiteral, type TimeRange } from "../../core/time.js";

/** Which log lines the export reads: server-side filters shared by the histogram and the part queries, so their counts agree. */
export interface LineFilter {
  /** A line is kept when it contains one of these paths (empty: every line). */
  readonly includePaths: readonly string[];
  /** A line is dropped when it contains one of these paths. */
  readonly excludePaths: readonly string[];
  /** A line is dropped when it contains one of these literal markers (e.g. `django.request:WARNING`). */
  readonly excludeMarkers: readonly string[];
  /** A line is kept only when its request path ends with one of these file endings (a content type's; empty or absent: any). */
  readonly includeSuffixes?: readonly string[];
}

const PATH = /^\/[A-Za-z0-9._~/-]*$/;
const MARKER = /^[A-Za-z0-9._:/ -]{1,100}$/;
const SUFFIX = /^\.[A-Za-z0-9.]{1,30}$/;

/** Paths and markers become regex text inside `/…/`; anything outside a safe alphabet is refused before it reaches a query. */
export function validateLineFilter(filter: LineFilter): LineFilter {
  for (const [name, values, pattern] of [["--filter-paths", filter.includePaths, PATH], ["--exclude-paths", filter.excludePaths, PATH], ["exclude markers", filter.excludeMarkers, MARKER], ["file endings", filter.includeSuffixes ?? [], SUFFIX]] as const) {
    for (const value of values) {
      if (!pattern.test(value)) throw new ConfigurationError(`${name}: ${JSON.stringify(value)} is not allowed (a path starting with / made of letters, digits and . _ ~ / -)`);
    }
  }
  return filter;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function alternation(values: readonly string[]): string {
  return values.map(escapeRegex).join("|");
}

/** The request path ends with a suffix: in a gunicorn line it is followed by ` HTTP/…` or a query string. */
function suffixPattern(suffixes: readonly string[]): string {
  return `(?:${alternation(suffixes)})[ ?]`;
}

/**
 * The request path starts with a prefix: anchored on the request line (`"GET /livez`), so a package
 * named `status` or a referer holding `/status` is never dropped unseen by the server.
 */
function requestPathPattern(prefixes: readonly string[]): string {
  return `"[A-Z]+ (?:${alternation(prefixes)})`;
}

/** The same predicate in JavaScript, for the FilterLogEvents fallback. */
export function lineMatcher(filter: LineFilter): (message: string) => boolean {
  const suffixes = filter.includeSuffixes ?? [];
  const suffix = suffixes.length === 0 ? undefined : new RegExp(suffixPattern(suffixes));
  const excludedPath = filter.excludePaths.length === 0 ? undefined : new RegExp(requestPathPattern(filter.excludePaths));
  return (message) =>
    (filter.includePaths.length === 0 || filter.includePaths.some((p) => message.includes(p))) &&
    (suffix === undefined || suffix.test(message)) &&
    (excludedPath === undefined || !excludedPath.test(message)) &&
    !filter.excludeMarkers.some((m) => message.includes(m));
}

function filters(filter: LineFilter, range: TimeRange, logStream: string | undefined): string[] {
  const lines = [`filter @timestamp >= ${range.startMs} and @timestamp < ${range.endMs}`];
  if (logStream !== undefined) lines.push(`filter @logStream = ${JSON.stringify(logStream)}`);
  if (filter.includePaths.length > 0) lines.push(`filter @message like /${alternation(filter.includePaths)}/`);
  if ((filter.includeSuffixes ?? []).length > 0) lines.push(`filter @message like /${suffixPattern(filter.includeSuffixes ?? [])}/`);
  if (filter.excludePaths.length > 0) lines.push(`filter @message not like /${requestPathPattern(filter.excludePaths)}/`);
  if (filter.excludeMarkers.length > 0) lines.push(`filter @message not like /${alternation(filter.excludeMarkers)}/`);
  return lines;
}

/** Rows per bin: one cheap query that sizes every part. */
export function histogramInsights(filter: LineFilter, range: TimeRange, binMs: number, logStream?: string): string {
  return [...filters(filter, range, logStream), `stats count(*) as rows by bin(${binWidthLiteral(binMs)})`].join("\n| ");
}

/** The rows of one part, oldest first; `limit` above the part budget so a short read is visible. */
export function partInsights(filter: LineFilter, range: TimeRange, limit: number, logStream?: string): string {
  return ["fields @timestamp, @message, @logStream", ...filters(filter, range, logStream), "sort @timestamp asc", `limit ${limit}`].join("\n| ");
}
