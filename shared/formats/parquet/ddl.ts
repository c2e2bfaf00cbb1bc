import type { ParquetColumnType, ParquetSchema } from "./schema.js";

export const DDL_ENGINES = ["duckdb", "athena", "databricks", "synapse"] as const;
export type DdlEngine = (typeof DDL_ENGINES)[number];

export interface DdlRequest {
  readonly engine: DdlEngine;
  /** The name the table (or view) gets in the engine. */
  readonly name: string;
  /** The table's folder: every `year=/month=/day=/hour=` partition is below it (ends with `/`). */
  readonly location: string;
  readonly schema: ParquetSchema;
}

/** Hive column types of each Parquet column type: Athena's DDL, and the Glue catalog's tables (the AWS module's). */
export const HIVE_TYPES: Readonly<Record<ParquetColumnType, string>> = {
  timestamp_ns: "timestamp",
  timestamp_us_utc: "timestamp",
  string: "string",
  json: "string",
  int8: "tinyint",
  int16: "smallint",
  int32: "int",
  int64: "bigint",
  double: "double",
  bool: "boolean",
};

/** Column types per engine: Athena/Trino (Hive DDL), Databricks (Spark SQL), Synapse serverless (T-SQL). */
const TYPES: Readonly<Record<Exclude<DdlEngine, "duckdb">, Readonly<Record<ParquetColumnType, string>>>> = {
  athena: HIVE_TYPES,
  databricks: {
    timestamp_ns: "TIMESTAMP",
    timestamp_us_utc: "TIMESTAMP",
    string: "STRING",
    json: "STRING",
    int8: "TINYINT",
    int16: "SMALLINT",
    int32: "INT",
    int64: "BIGINT",
    double: "DOUBLE",
    bool: "BOOLEAN",
  },
  synapse: {
    timestamp_ns: "datetime2(7)",
    timestamp_us_utc: "datetime2(7)",
    string: "varchar(8000) COLLATE Latin1_General_100_BIN2_UTF8",
    json: "varchar(8000) COLLATE Latin1_General_100_BIN2_UTF8",
    int8: "smallint",
    int16: "smallint",
    int32: "int",
    int64: "bigint",
    double: "float",
    bool: "bit",
  },
};

const PARTITIONS = ["year", "month", "day", "hour"] as const;

function quoted(name: string, open: string, close = open): string {
  return `${open}${name.replaceAll(close, close + close)}${close}`;
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function folder(location: string): string {
  return location.endsWith("/") ? location : `${location}/`;
}

function duckdb(request: DdlRequest): string {
  return `CREATE OR REPLACE VIEW ${quoted(request.name, '"')} AS
SELECT * FROM read_parquet(${sqlString(`${folder(request.location)}**/*.parquet`)}, hive_partitioning = true, union_by_name = true);
`;
}

/** Partition projection: no crawler and no MSCK REPAIR, new hours are queryable as soon as they are written. */
function athena(request: DdlRequest): string {
  const columns = request.schema.map((c) => `  ${quoted(c.name, "`")} ${TYPES.athena[c.type]}`).join(",\n");
  const location = folder(request.location);
  const ranges: Readonly<Record<(typeof PARTITIONS)[number], string>> = { year: "2000,2100", month: "1,12", day: "1,31", hour: "0,23" };
  const projection = PARTITIONS.flatMap((p) => [
    `  'projection.${p}.type' = 'integer'`,
    `  'projection.${p}.range' = '${ranges[p]}'`,
    `  'projection.${p}.digits' = '${p === "year" ? 4 : 2}'`,
  ]);
  return `CREATE EXTERNAL TABLE IF NOT EXISTS ${quoted(request.name, "`")} (
${columns}
)
PARTITIONED BY (${PARTITIONS.map((p) => `\`${p}\` string`).join(", ")})
STORED AS PARQUET
LOCATION ${sqlString(location)}
TBLPROPERTIES (
  'projection.enabled' = 'true',
${projection.join(",\n")},
  'storage.location.template' = ${sqlString(`${location}year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`)}
);
`;
}

function databricks(request: DdlRequest): string {
  const columns = [...request.schema.map((c) => `  ${quoted(c.name, "`")} ${TYPES.databricks[c.type]}`), ...PARTITIONS.map((p) => `  \`${p}\` STRING`)].join(
    ",\n",
  );
  return `CREATE TABLE IF NOT EXISTS ${quoted(request.name, "`")} (
${columns}
)
USING PARQUET
PARTITIONED BY (${PARTITIONS.map((p) => `\`${p}\``).join(", ")})
LOCATION ${sqlString(folder(request.location))};
-- Partitions written after this statement become visible with:
MSCK REPAIR TABLE ${quoted(request.name, "`")};
`;
}

/** Serverless SQL pools do not partition external tables: a view over OPENROWSET, the partitions from filepath(). */
function synapse(request: DdlRequest): string {
  const columns = request.schema.map((c) => `    ${quoted(c.name, "[", "]")} ${TYPES.synapse[c.type]}`).join(",\n");
  const partitions = PARTITIONS.map((p, i) => `  CAST(r.filepath(${i + 1}) AS int) AS ${quoted(p, "[", "]")}`).join(",\n");
  return `CREATE OR ALTER VIEW ${quoted(request.name, "[", "]")} AS
SELECT
  r.*,
${partitions}
FROM OPENROWSET(
  BULK ${sqlString(`${folder(request.location)}year=*/month=*/day=*/hour=*/*.parquet`)},
  FORMAT = 'PARQUET'
) WITH (
${columns}
) AS r;
`;
}

/** A statement that makes the archive of one table queryable in the engine, with its Hive partitions. */
export function createTableDdl(request: DdlRequest): string {
  switch (request.engine) {
    case "duckdb":
      return duckdb(request);
    case "athena":
      return athena(request);
    case "databricks":
      return databricks(request);
    case "synapse":
      return synapse(request);
  }
}
