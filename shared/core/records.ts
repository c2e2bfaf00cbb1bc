/** A column as the source declares it (Log Analytics types: string, datetime, long, int, real, bool, dynamic, guid, timespan, decimal). */
export interface Column {
  readonly name: string;
  readonly type: string;
}

/**
 * One exported row, keyed by column name. Values keep their source meaning:
 * datetimes stay as the service's ISO string (100 ns precision), longs beyond
 * 2^53 are bigint, dynamic values are parsed JSON.
 */
export type LogRecord = Record<string, unknown>;

/** What happens to one source record on its way into an export. */
export type TransformResult =
  | { readonly kind: "row"; readonly row: LogRecord }
  | { readonly kind: "excluded"; readonly reason: string }
  | { readonly kind: "malformed"; readonly sample: string };
