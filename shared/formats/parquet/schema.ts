import type { SchemaElement } from "hyparquet-writer";

/** Column types the encoder writes; each maps to one Parquet annotation every reader we test understands. */
export const PARQUET_COLUMN_TYPES = ["timestamp_ns", "timestamp_us_utc", "string", "json", "int8", "int16", "int32", "int64", "double", "bool"] as const;
export type ParquetColumnType = (typeof PARQUET_COLUMN_TYPES)[number];

export interface ParquetColumn {
  readonly name: string;
  readonly type: ParquetColumnType;
  readonly nullable: boolean;
}

/** A file's columns, in file order, declared as data. */
export type ParquetSchema = readonly ParquetColumn[];

/**
 * The seed exporter's schema exactly as its code writes it (upstream `writer.py` SCHEMA through pyarrow ≥ 13,
 * Parquet format 2.6): `timestamp[ns]` without a zone (UTC wall-clock, INT64 TIMESTAMP(NANOS,
 * isAdjustedToUTC=false)), `int16`, strings, every column nullable (OPTIONAL), as pyarrow fields are. DuckDB
 * reads TIMESTAMP_NS, VARCHAR and SMALLINT; pyarrow reads back upstream's own schema. What differs is in
 * the footer's annotations only, which every reader maps to the same types (docs/upstream-compatibility.md,
 * test/fixtures/upstream-pulp/).
 */
export const PULP_ACCESS_LOG_SCHEMA: ParquetSchema = Object.freeze([
  { name: "timestamp", type: "timestamp_ns", nullable: true },
  { name: "message", type: "string", nullable: true },
  { name: "user", type: "string", nullable: true },
  { name: "org_id", type: "string", nullable: true },
  { name: "domain", type: "string", nullable: true },
  { name: "distribution", type: "string", nullable: true },
  { name: "package", type: "string", nullable: true },
  { name: "status_code", type: "int16", nullable: true },
  { name: "user_agent", type: "string", nullable: true },
  { name: "x_forwarded_for", type: "string", nullable: true },
] as const);

/** One row of {@link PULP_ACCESS_LOG_SCHEMA}: `timestamp` in nanoseconds since the epoch (or a Date, milliseconds). */
export type PulpAccessLogRow = {
  timestamp: bigint | Date;
  message: string;
  user: string | null;
  org_id: string | null;
  domain: string;
  distribution: string;
  package: string;
  status_code: number;
  user_agent: string;
  x_forwarded_for: string;
};

/**
 * The Parquet schema elements for our column types. Integers carry only the
 * legacy converted type: hyparquet-writer 0.17's `INTEGER(16, signed)` logical
 * annotation makes a file DuckDB rejects ("TProtocolException: Invalid data").
 */
export function schemaElements(schema: ParquetSchema): SchemaElement[] {
  const root: SchemaElement = { name: "root", num_children: schema.length };
  return [root, ...schema.map(columnElement)];
}

function columnElement(column: ParquetColumn): SchemaElement {
  const base = { name: column.name, repetition_type: column.nullable ? "OPTIONAL" : "REQUIRED" } as const;
  switch (column.type) {
    case "timestamp_ns":
      return { ...base, type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "NANOS" } };
    case "timestamp_us_utc":
      // The legacy TIMESTAMP_MICROS annotation beside the logical type: older Hive and Spark readers look only at it.
      return { ...base, type: "INT64", converted_type: "TIMESTAMP_MICROS", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" } };
    case "string":
      return { ...base, type: "BYTE_ARRAY", converted_type: "UTF8" };
    case "json":
      // JSON text, annotated as the JSON logical type; the legacy annotation says UTF8 (a string to readers that
      // predate JSON), because hyparquet-writer would JSON-encode the text again under converted type JSON.
      return { ...base, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "JSON" } };
    case "int8":
      return { ...base, type: "INT32", converted_type: "INT_8" };
    case "double":
      return { ...base, type: "DOUBLE" };
    case "int16":
      return { ...base, type: "INT32", converted_type: "INT_16" };
    case "int32":
      return { ...base, type: "INT32", converted_type: "INT_32" };
    case "int64":
      return { ...base, type: "INT64", converted_type: "INT_64" };
    case "bool":
      return { ...base, type: "BOOLEAN" };
  }
}

/** Throws unless names are unique, non-empty and types known: a bad schema is a programming error, caught before any byte is written. */
export function assertValidSchema(schema: ParquetSchema): void {
  if (schema.length === 0) throw new TypeError("a Parquet schema needs at least one column");
  const seen = new Set<string>();
  for (const column of schema) {
    if (column.name.length === 0) throw new TypeError("a Parquet column needs a name");
    if (seen.has(column.name)) throw new TypeError(`duplicate Parquet column "${column.name}"`);
    if (!(PARQUET_COLUMN_TYPES as readonly string[]).includes(column.type))
      throw new TypeError(`unknown Parquet column type "${column.type}" for "${column.name}"`);
    seen.add(column.name);
  }
}
