CREATE TABLE IF NOT EXISTS `typed_cl` (
  `TimeGenerated` TIMESTAMP,
  `TimeGenerated_100ns` TINYINT,
  `c_string` STRING,
  `c_datetime` TIMESTAMP,
  `c_datetime_100ns` TINYINT,
  `c_long` BIGINT,
  `c_int` INT,
  `c_real` DOUBLE,
  `c_bool` BOOLEAN,
  `c_dynamic` STRING,
  `c_guid` STRING,
  `c_timespan` BIGINT,
  `c_decimal` STRING,
  `year` STRING,
  `month` STRING,
  `day` STRING,
  `hour` STRING
)
USING PARQUET
PARTITIONED BY (`year`, `month`, `day`, `hour`)
LOCATION 'abfss://log-exports@account.dfs.core.windows.net/logs/table=Typed_CL/';
-- Partitions written after this statement become visible with:
MSCK REPAIR TABLE `typed_cl`;
