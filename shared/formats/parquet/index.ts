export {
  createParquetEncoder,
  DEFAULT_ROW_GROUP_SIZE,
  ParquetEncodeError,
  type ParquetEncoder,
  type ParquetEncoderOptions,
  type ParquetRow,
} from "./encoder.js";
export {
  PARQUET_COLUMN_TYPES,
  PULP_ACCESS_LOG_SCHEMA,
  type ParquetColumn,
  type ParquetColumnType,
  type ParquetSchema,
  type PulpAccessLogRow,
} from "./schema.js";
