import { ConfigurationError } from "../../core/errors.js";
import { binWidthLiteral, type TimeRange } from "../../core/time.js";

/**
 * Which log lines the export reads: server-side filters shared by the histogram and the part queries, so
 * their counts agree. They only select (a line holding a path or ending anywhere is read); nothing is
 * dropped on the server, where a line would vanish uncounted: what the export does not keep (health
 * checks, Django warnings, other paths) is counted by reason in the manifest by the row transform.
 */
export interface LineFilter {
  /** A line is read when it contains one of these paths (empty: every line). */
  readonly includePaths: readonly string[];
  /** A line is read only when its request path ends with one of these file endings (a content type's; empty or absent: any). */
  readonly includeSuffixes?: readonly string[];
}

const PATH = /^\/[A-Za-z0-9._~/-]*$/;
const SUFFIX = /^\.[A-Za-z0-9.]{1,30}$/;

/** Request paths as settings and flags give them (`--filter-paths`, `--exclude-paths`): refused unless made of a safe alphabet. */
export function validatePaths(name: string, values: readonly string[]): readonly string[] {
  for (const value of values) {
    if (!PATH.test(value))
      throw new ConfigurationError(`${name}: ${JSON.stringify(value)} is not allowed (a path starting with / made of letters, digits and . _ ~ / -)`);
  }
  return values;
}

/** Paths and endings become regex text inside `/…/`; anything outside a safe alphabet is refused before it reaches a query. */
export function validateLineFilter(filter: LineFilter): LineFilter {
  validatePaths("--filter-paths", filter.includePaths);
  for (const value of filter.includeSuffixes ?? []) {
    if (!SUFFIX.test(value)) throw new ConfigurationError(`file endings: ${JSON.stringify(value)} is not allowed (a . followed by letters, digits and .)`);
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

/** The same predicate in JavaScript, for the FilterLogEvents fallback. */
export function lineMatcher(filter: LineFilter): (message: string) => boolean {
  const suffixes = filter.includeSuffixes ?? [];
  const suffix = suffixes.length === 0 ? undefined : new RegExp(suffixPattern(suffixes));
  return (message) =>
    (filter.includePaths.length === 0 || filter.includePaths.some((p) => message.includes(p))) && (suffix === undefined || suffix.test(message));
}

function filters(filter: LineFilter, range: TimeRange, logStream: string | undefined): string[] {
  const lines = [`filter @timestamp >= ${range.startMs} and @timestamp < ${range.endMs}`];
  if (logStream !== undefined) lines.push(`filter @logStream = ${JSON.stringify(logStream)}`);
  if (filter.includePaths.length > 0) lines.push(`filter @message like /${alternation(filter.includePaths)}/`);
  if ((filter.includeSuffixes ?? []).length > 0) lines.push(`filter @message like /${suffixPattern(filter.includeSuffixes ?? [])}/`);
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
